#ifndef BARKD_CMARIADB_H
#define BARKD_CMARIADB_H
// pkg-config libmariadb adds -I/usr/include/mariadb.
#include <mysql.h>
#endif
