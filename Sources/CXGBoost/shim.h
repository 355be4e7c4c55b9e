#ifndef MNTRADING_CXGBOOST_SHIM_H
#define MNTRADING_CXGBOOST_SHIM_H
#include <xgboost/c_api.h>
#endif
