/* tests/fuzz/replay.c - run a fuzz target over saved inputs, no libFuzzer
 *
 * Usage: fz_NAME-replay FILE|DIR ...   Feeds each file (each regular
 * file of each directory) to LLVMFuzzerTestOneInput once, so that
 * "make check" replays the seed corpus and every kept crash with any
 * compiler. Ends with "N passed, 0 failed": a crash never reaches it.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replayed;

/* replay_file - one input */
static void
replay_file(const char *path)
{
    FILE   *fp = fopen(path, "rb");
    uint8_t *buf;
    long    len;

    if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (len = ftell(fp)) < 0) {
        fprintf(stderr, "%s: cannot read\n", path);
        exit(1);
    }
    rewind(fp);
    /* exactly the input's bytes, as libFuzzer gives them: a byte of
     * slack would hide a read one past the end from the sanitizer */
    buf = malloc(len > 0 ? (size_t) len : 1);
    if (buf == NULL || fread(buf, 1, (size_t) len, fp) != (size_t) len) {
        fprintf(stderr, "%s: cannot read\n", path);
        exit(1);
    }
    fclose(fp);
    LLVMFuzzerTestOneInput(buf, (size_t) len);
    free(buf);
    replayed++;
}

int
main(int argc, char **argv)
{
    int     i;

    for (i = 1; i < argc; i++) {
        struct stat st;
        DIR    *d;
        struct dirent *e;

        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "%s: missing\n", argv[i]);
            return 1;
        }
        if (!S_ISDIR(st.st_mode)) {
            replay_file(argv[i]);
            continue;
        }
        if ((d = opendir(argv[i])) == NULL)
            return 1;
        while ((e = readdir(d)) != NULL) {
            char    path[4096];

            if (e->d_name[0] == '.')
                continue;
            snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
                replay_file(path);
        }
        closedir(d);
    }
    printf("%d passed, 0 failed\n", replayed);
    return 0;
}
