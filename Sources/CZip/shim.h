#ifndef MNTRADING_CZIP_SHIM_H
#define MNTRADING_CZIP_SHIM_H
#include <zip.h>
#endif
