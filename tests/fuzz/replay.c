/* replay.c: a main() for the fuzz harnesses without libFuzzer: feeds every
 * file named on the command line (directories: every file in them, in name
 * order) to LLVMFuzzerTestOneInput once. ctest runs it over each corpus, so
 * each attack-named seed stays a regression test. Exit 0 when every input
 * was replayed (a finding aborts before that). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int
replay_file(const char *path)
{
    FILE          *f = fopen(path, "rb");
    unsigned char *buf;
    long           n;

    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        if (f != NULL)
            fclose(f);
        return -1;
    }
    buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, (size_t)n);
    free(buf);
    return 0;
}

static int
only_files(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

int
main(int argc, char **argv)
{
    int count = 0, bad = 0;

    LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        struct stat     st;
        struct dirent **list = NULL;
        int             n;

        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: not found\n", argv[i]);
            bad++;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            bad += replay_file(argv[i]) != 0;
            count++;
            continue;
        }
        n = scandir(argv[i], &list, only_files, alphasort);
        for (int k = 0; k < n; k++) {
            char path[4096];

            snprintf(path, sizeof(path), "%s/%s", argv[i], list[k]->d_name);
            bad += replay_file(path) != 0;
            count++;
            free(list[k]);
        }
        free(list);
    }
    printf("replayed %d inputs, %d unreadable\n", count, bad);
    return bad == 0 && count > 0 ? 0 : 1;
}
