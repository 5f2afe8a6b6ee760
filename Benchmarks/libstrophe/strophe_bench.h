/*
 * Shared between strophe_bench.c (the scenarios with one session) and
 * strophe_idle.c (the idle-sessions scenario).
 */
#ifndef STROPHE_BENCH_H
#define STROPHE_BENCH_H

#include <strophe.h>

typedef struct {
    const char *host, *domain, *ca, *user, *password, *resource, *to, *ready_file;
    /* roundtrip: where each round trip's time goes, in order (us, one per line) */
    const char *samples_file;
    unsigned short port;
    int no_sm;
    /* idle: logins in flight at most, seconds of idling before the second
     * memory sample, and whether failed logins are counted instead of
     * ending the run */
    long parallel;
    double settle;
    int best_effort;
} options;

/* Seconds on the monotonic clock. */
double now_s(void);
/* User + system CPU of the whole process, in seconds. */
double cpu_s(void);

/* The idle scenario; prints its JSON line, returns the exit status. */
int run_idle(xmpp_ctx_t *ctx, const options *o, long n);

#endif
