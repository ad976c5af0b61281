/* curl_floor: the floor an agent cannot go under. GETs a URL three times with
 * the system libcurl (one easy handle, kept alive), discarding the body, and
 * exits; run it under /usr/bin/time -v for its peak RSS.
 *   gcc -O2 -o curl_floor curl_floor.c -lcurl && /usr/bin/time -v ./curl_floor URL
 */
#include <curl/curl.h>
#include <stdio.h>

static size_t discard(char *data, size_t size, size_t count, void *user) {
    (void)data; (void)user;
    return size * count;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: curl_floor URL\n"); return 2; }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_URL, argv[1]);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "gzip");
    for (int i = 0; i < 3; i++) {
        CURLcode code = curl_easy_perform(curl);
        if (code != CURLE_OK) { fprintf(stderr, "%s\n", curl_easy_strerror(code)); return 1; }
    }
    curl_easy_cleanup(curl);
    curl_global_cleanup();
    return 0;
}
