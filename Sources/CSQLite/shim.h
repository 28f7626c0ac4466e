#ifndef BARKD_CSQLITE_H
#define BARKD_CSQLITE_H
#include <sqlite3.h>
#endif
