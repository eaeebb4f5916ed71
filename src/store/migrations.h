/* migrations.h: the SQL migrations embedded at build time
 * (cmake/embed_migrations.cmake), one array per dialect ending with a zeroed
 * row. Files are src/store/migrations/<dialect>/NNNN_name.sql and are never
 * edited once released: add a new number instead. */
#ifndef GH_STORE_MIGRATIONS_H
#define GH_STORE_MIGRATIONS_H

struct gh_migration {
    int         version; /* NNNN from the file name */
    const char *name;    /* file name */
    const char *sql;     /* whole file; may hold several statements */
};

extern const struct gh_migration gh_migrations_sqlite[];
extern const struct gh_migration gh_migrations_postgres[];

#endif
