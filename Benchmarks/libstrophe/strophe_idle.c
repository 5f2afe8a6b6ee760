/*
 * The idle-sessions scenario on the libstrophe side; the Swift counterpart
 * is Benchmarks/Sources/SessionBenchmark/IdleScenario.swift, and both print
 * the same fields.
 *
 *   idle N   warm-up login (first account, opened and closed, so that the
 *            one-off costs — OpenSSL's start-up, the first trust store — are
 *            not charged to the sessions); memory sample; N sessions on N
 *            accounts (<user>00001 ... with password <account><password>),
 *            all in the one xmpp_ctx (libstrophe's design: one event loop
 *            per context, any number of connections), at most --parallel
 *            logins in flight, each as in `login` (STARTTLS, verified TLS,
 *            SASL, bind, available presence and its echo); once all are up,
 *            --settle seconds of running the event loop; memory sample;
 *            then every session still connected sends an unavailable
 *            presence and disconnects cleanly.
 *
 * libstrophe's event loop is select(): a descriptor at or above FD_SETSIZE
 * (1024) would overflow its fd_set (glibc's fortified FD_SET aborts), so one
 * process holds at most IDLE_MAX_SESSIONS sessions. Larger N is refused, or
 * capped with --best-effort on.
 */
#define _POSIX_C_SOURCE 200809L
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>

#include <strophe.h>

#include "strophe_bench.h"

/* FD_SETSIZE less a margin for stdio, the warm-up and the resolver. */
#define IDLE_MAX_SESSIONS (FD_SETSIZE - 24)
/* Failed logins after which a best-effort run starts no more. */
#define IDLE_MAX_FAILURES 100
/* How long closing may take before the run gives up on stragglers. */
#define IDLE_CLOSE_LIMIT_S 60.0

typedef struct {
    xmpp_conn_t *conn;
    int up;      /* logged in: the presence echo came back */
    int failed;  /* closed before it was up */
    int closed;  /* the connection has ended (after up: dropped or closed) */
    int closing; /* we asked it to close */
} idle_session;

typedef struct {
    long rss, rss_anon, hwm, threads; /* KiB, from /proc/self/status */
    long heap_in_use, heap_held;      /* KiB, from mallinfo2 */
} memory_sample;

static memory_sample sample_memory(void) {
    memory_sample m = {0, 0, 0, 0, 0, 0};
    FILE *f = fopen("/proc/self/status", "r");
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f)) {
            long v;
            if (sscanf(line, "VmRSS: %ld", &v) == 1) m.rss = v;
            else if (sscanf(line, "RssAnon: %ld", &v) == 1) m.rss_anon = v;
            else if (sscanf(line, "VmHWM: %ld", &v) == 1) m.hwm = v;
            else if (sscanf(line, "Threads: %ld", &v) == 1) m.threads = v;
        }
        fclose(f);
    }
    struct mallinfo2 info = mallinfo2();
    m.heap_in_use = (long)((info.uordblks + info.hblkhd) / 1024);
    m.heap_held = (long)((info.arena + info.hblkhd) / 1024);
    return m;
}

/* The presence echo: an available presence from our own full JID. */
static int on_presence(xmpp_conn_t *conn, xmpp_stanza_t *stanza, void *userdata) {
    idle_session *s = userdata;
    const char *from = xmpp_stanza_get_from(stanza);
    const char *jid = xmpp_conn_get_bound_jid(conn);
    if (!xmpp_stanza_get_type(stanza) && from && jid && strcmp(from, jid) == 0) s->up = 1;
    return 1;
}

static void on_conn(xmpp_conn_t *conn, xmpp_conn_event_t status, int error,
                    xmpp_stream_error_t *stream_error, void *userdata) {
    idle_session *s = userdata;
    (void)error;
    (void)stream_error;
    if (status == XMPP_CONN_CONNECT) {
        if (!xmpp_conn_is_secured(conn)) {
            xmpp_disconnect(conn);
            return;
        }
        xmpp_handler_add(conn, on_presence, NULL, "presence", NULL, s);
        xmpp_stanza_t *pres = xmpp_presence_new(xmpp_conn_get_context(conn));
        xmpp_send(conn, pres);
        xmpp_stanza_release(pres);
    } else if (status == XMPP_CONN_DISCONNECT || status == XMPP_CONN_FAIL) {
        if (!s->up) s->failed = 1;
        s->closed = 1;
    }
}

/* Starts session `index` (1-based) on its own account. */
static int start_session(xmpp_ctx_t *ctx, const options *o, long index, idle_session *s) {
    char jid[512], password[512];
    snprintf(jid, sizeof jid, "%s%05ld@%s", o->user, index, o->domain);
    snprintf(password, sizeof password, "%s%05ld%s", o->user, index, o->password);
    s->conn = xmpp_conn_new(ctx);
    xmpp_conn_set_flags(s->conn, XMPP_CONN_FLAG_MANDATORY_TLS | (o->no_sm ? XMPP_CONN_FLAG_DISABLE_SM : 0));
    xmpp_conn_set_cafile(s->conn, o->ca);
    xmpp_conn_set_jid(s->conn, jid);
    xmpp_conn_set_pass(s->conn, password);
    if (xmpp_connect_client(s->conn, o->host, o->port, on_conn, s) != XMPP_EOK) {
        s->failed = s->closed = 1;
        return -1;
    }
    return 0;
}

/* Sends an unavailable presence on a live session and disconnects it. */
static void close_session(xmpp_ctx_t *ctx, idle_session *s) {
    if (s->closed || s->closing || !s->conn) return;
    s->closing = 1;
    xmpp_stanza_t *pres = xmpp_presence_new(ctx);
    xmpp_stanza_set_type(pres, "unavailable");
    xmpp_send(s->conn, pres);
    xmpp_stanza_release(pres);
    xmpp_disconnect(s->conn);
}

/* Runs the loop until every session in [0, count) has closed, or the limit. */
static void run_until_closed(xmpp_ctx_t *ctx, idle_session *sessions, long count) {
    double deadline = now_s() + IDLE_CLOSE_LIMIT_S;
    for (;;) {
        long open = 0;
        for (long i = 0; i < count; i++) open += sessions[i].conn && !sessions[i].closed;
        if (open == 0 || now_s() > deadline) return;
        xmpp_run_once(ctx, 10);
    }
}

int run_idle(xmpp_ctx_t *ctx, const options *o, long n) {
    long asked = n;
    if (n > IDLE_MAX_SESSIONS) {
        if (!o->best_effort) {
            fprintf(stderr, "idle: libstrophe's select() loop holds at most %d sessions per process (FD_SETSIZE %d)\n",
                    IDLE_MAX_SESSIONS, FD_SETSIZE);
            return 1;
        }
        n = IDLE_MAX_SESSIONS;
    }

    /* The warm-up, on the first account. */
    idle_session warm = {0};
    if (start_session(ctx, o, 1, &warm) == 0) {
        while (!warm.up && !warm.closed) xmpp_run_once(ctx, 10);
        close_session(ctx, &warm);
        run_until_closed(ctx, &warm, 1);
    }
    if (warm.conn) xmpp_conn_release(warm.conn);
    if (!warm.up) {
        fprintf(stderr, "idle: the warm-up login failed\n");
        return 1;
    }

    /* Touched now, so that the array's pages count before, not after. */
    idle_session *sessions = calloc((size_t)n, sizeof *sessions);
    if (!sessions) return 1;
    memset(sessions, 0, (size_t)n * sizeof *sessions);
    memory_sample before = sample_memory();

    double start = now_s(), cpu_start = cpu_s();
    long launched = 0, up = 0, failures = 0;
    for (;;) {
        up = failures = 0;
        long in_flight = 0;
        for (long i = 0; i < launched; i++) {
            up += sessions[i].up;
            failures += sessions[i].failed;
            in_flight += !sessions[i].up && !sessions[i].failed;
        }
        int may_go_on = o->best_effort ? failures < IDLE_MAX_FAILURES : failures == 0;
        while (may_go_on && launched < n && in_flight < o->parallel) {
            start_session(ctx, o, launched + 1, &sessions[launched]);
            launched++;
            in_flight++;
        }
        if (in_flight == 0) break;
        xmpp_run_once(ctx, 10);
    }
    double login_wall = now_s() - start, login_cpu = cpu_s() - cpu_start;

    memory_sample after = {0, 0, 0, 0, 0, 0};
    if (failures == 0 || o->best_effort) {
        double settle_end = now_s() + o->settle;
        while (now_s() < settle_end) xmpp_run_once(ctx, 10);
        after = sample_memory();
    }

    double close_start = now_s();
    long dropped = 0;
    for (long i = 0; i < launched; i++) {
        if (sessions[i].up && sessions[i].closed) dropped++;
        close_session(ctx, &sessions[i]);
    }
    run_until_closed(ctx, sessions, launched);
    double close_wall = now_s() - close_start;
    for (long i = 0; i < launched; i++)
        if (sessions[i].conn) xmpp_conn_release(sessions[i].conn);
    free(sessions);

    if ((failures > 0 && !o->best_effort) || up == 0) {
        fprintf(stderr, "idle: %ld of %ld logins failed\n", failures, launched);
        return 1;
    }
    double per = (double)(after.rss - before.rss) / (double)up;
    double heap_per = (double)(after.heap_in_use - before.heap_in_use) / (double)up;
    printf("{\"client\":\"libstrophe\",\"scenario\":\"idle\",\"n\":%ld,\"up\":%ld,\"failed\":%ld,\"dropped\":%ld,"
           "\"parallel\":%ld,\"login_wall_s\":%.3f,\"logins_per_s\":%.1f,\"login_cpu_ms_per_session\":%.3f,"
           "\"rss_before_kib\":%ld,\"rss_after_kib\":%ld,\"hwm_kib\":%ld,"
           "\"rss_anon_before_kib\":%ld,\"rss_anon_after_kib\":%ld,"
           "\"heap_before_kib\":%ld,\"heap_after_kib\":%ld,\"heap_held_after_kib\":%ld,\"threads\":%ld,"
           "\"kib_per_session\":%.1f,\"heap_kib_per_session\":%.1f,\"close_wall_s\":%.3f%s}\n",
           asked, up, failures, dropped, o->parallel, login_wall, (double)up / login_wall,
           login_cpu * 1e3 / (double)up, before.rss, after.rss, after.hwm, before.rss_anon, after.rss_anon,
           before.heap_in_use, after.heap_in_use, after.heap_held, after.threads, per, heap_per, close_wall,
           n < asked ? ",\"capped_at_fd_setsize\":true" : "");
    return 0;
}
