// Peer benchmark: yajl 2 tokenizing a JSON file with full validation, fed whole and in 4 KiB chunks.
// Built and run by ci/peers/yajl-peer; prints one JSON line per mode with the median MB/s (10^6 bytes/s)
// over the runs, so it can be read beside `sluice-bench run` results from the same session.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_parse.h>

static long long tokens;
static int on_null(void *c) { (void)c; tokens++; return 1; }
static int on_boolean(void *c, int b) { (void)c; (void)b; tokens++; return 1; }
static int on_number(void *c, const char *s, size_t l) { (void)c; (void)s; (void)l; tokens++; return 1; }
static int on_string(void *c, const unsigned char *s, size_t l) { (void)c; (void)s; (void)l; tokens++; return 1; }
static int on_start_map(void *c) { (void)c; tokens++; return 1; }
static int on_map_key(void *c, const unsigned char *s, size_t l) { (void)c; (void)s; (void)l; tokens++; return 1; }
static int on_end_map(void *c) { (void)c; tokens++; return 1; }
static int on_start_array(void *c) { (void)c; tokens++; return 1; }
static int on_end_array(void *c) { (void)c; tokens++; return 1; }
// on_number (raw text) instead of integer/double callbacks: like Sluice's tokens, numbers are not converted.
static yajl_callbacks callbacks = {on_null, on_boolean, NULL, NULL, on_number, on_string, on_start_map,
                                   on_map_key, on_end_map, on_start_array, on_end_array};

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int parse(const unsigned char *bytes, size_t size, size_t chunk) {
    yajl_handle h = yajl_alloc(&callbacks, NULL, NULL);
    for (size_t offset = 0; offset < size; offset += chunk) {
        size_t n = size - offset < chunk ? size - offset : chunk;
        if (yajl_parse(h, bytes + offset, n) != yajl_status_ok) { yajl_free(h); return 0; }
    }
    int ok = yajl_complete_parse(h) == yajl_status_ok;
    yajl_free(h);
    return ok;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: yajl-tokens FILE [RUNS]\n"); return 2; }
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 1; }
    fseek(f, 0, SEEK_END);
    size_t size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *bytes = malloc(size);
    if (fread(bytes, 1, size, f) != size) { perror("read"); return 1; }
    fclose(f);
    int runs = argc > 2 ? atoi(argv[2]) : 15;
    size_t chunks[2] = {size, 4096};
    const char *names[2] = {"whole", "chunk4k"};
    for (int mode = 0; mode < 2; mode++) {
        double rates[256];
        for (int r = 0; r < runs && r < 256; r++) {
            // Each sample parses the file enough times to last about 50 ms.
            int repeat = 0;
            double start = now(), end;
            do {
                if (!parse(bytes, size, chunks[mode])) { fprintf(stderr, "%s: yajl rejected the file\n", argv[1]); return 1; }
                repeat++;
                end = now();
            } while (end - start < 0.05);
            rates[r] = (double)size * repeat / (end - start) / 1e6;
        }
        qsort(rates, runs, sizeof(double), compare);
        printf("{\"file\":\"%s\",\"mode\":\"%s\",\"medianMBps\":%.1f,\"runs\":%d}\n", argv[1], names[mode], rates[runs / 2], runs);
    }
    return 0;
}
