#ifndef MNTRADING_CCURL_SHIM_H
#define MNTRADING_CCURL_SHIM_H
#include <curl/curl.h>

// curl_easy_setopt and curl_easy_getinfo are C variadics, which Swift cannot call:
// these typed wrappers give Swift one entry point per argument type.
static inline CURLcode mnt_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode mnt_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode mnt_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode mnt_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}
typedef size_t (*mnt_curl_data_callback)(char *data, size_t size, size_t count, void *userdata);
static inline CURLcode mnt_curl_setopt_callback(CURL *handle, CURLoption option, mnt_curl_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode mnt_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode mnt_curl_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}
#endif
