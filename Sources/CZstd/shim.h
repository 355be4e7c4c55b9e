#ifndef MNTRADING_CZSTD_SHIM_H
#define MNTRADING_CZSTD_SHIM_H
#include <zstd.h>
#endif
