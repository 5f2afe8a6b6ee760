/*
 * strophe_bench: the session benchmark scenarios written against libstrophe,
 * the reference side of Benchmarks/Scripts/session-bench.sh. The Swift side
 * is Benchmarks/Sources/SessionBenchmark; both print one JSON line with the
 * same fields.
 *
 *   strophe_bench SCENARIO N --host H --port P --domain D --ca FILE
 *                 --user U --password PW [--resource R] [--to JID]
 *                 [--ready-file PATH] [--sm on|off] [--samples FILE]
 *
 * Scenarios:
 *   login N      N sequential logins (STARTTLS, certificate verified against
 *                --ca, SASL, bind, available presence sent and its echo
 *                received, clean close); wall time and CPU per login.
 *   roundtrip N  one session; N sequential messages to the session's own full
 *                JID, each waiting for its echo; median and p99 in us;
 *                --samples FILE also writes every round trip, in order.
 *   recv N       one session bound to --resource; creates --ready-file once
 *                logged in and available, then counts N messages; wall time
 *                from the first to the last, CPU over the same phase.
 *   idle N       N sessions open at once, idle; memory per session
 *                (strophe_idle.c; accounts <user>00001..., passwords
 *                <account><password>; [--parallel K] [--settle S]
 *                [--best-effort on|off]).
 *   send N       one session; N messages of 100 bytes with a XEP-0334
 *                <no-store/> hint to --to, written as fast as the
 *                connection drains them; then one message to the session's
 *                own full JID, awaited (the server has routed all N once it
 *                is back), then a clean close.
 *
 * STROPHE_BENCH_DEBUG=1 prints libstrophe's debug log. STROPHE_BENCH_RT_DELAY_US=D
 * (a round-trip diagnostic) spins D microseconds after each echo before the
 * next message is sent, outside the measured round trips.
 *
 * Built by Benchmarks/Scripts/build-strophe-bench.sh (with strophe_idle.c).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <time.h>
#include <signal.h>
#include <unistd.h>

#include <strophe.h>

#include "bench_clock.h"
#include "strophe_bench.h"

#define BODY_BYTES 100
#define SEND_WINDOW 64 /* stanzas queued in libstrophe at most while sending */

typedef struct {
    xmpp_ctx_t *ctx;
    xmpp_conn_t *conn;
    const options *opt;
    int scenario; /* 0 login, 1 roundtrip, 2 recv, 3 send */
    long n;
    int connected, finished, failed, closed;
    char failure[256];
    /* login */
    int presence_seen;
    /* roundtrip */
    long rt_index;
    double rt_sent_at;
    double rt_delay_s; /* STROPHE_BENCH_RT_DELAY_US: spin before each next message */
    double *samples;
    char self_jid[512];
    /* recv / send */
    long received, sent;
    double first_at, last_at;
    double phase_start;
    double phase_cpu_start;
    /* the sender's end marker, unique per process: Prosody re-routes the
       unacknowledged stanzas of a session that ended uncleanly to the
       account's next session, so a fixed id could end a later run early */
    char marker_id[32];
} bench;

static void send_roundtrip(bench *b);

double now_s(void) { return bench_now_s(); }

double cpu_s(void) { return bench_cpu_s(); }

static void fail(bench *b, const char *what) {
    if (!b->failed) {
        b->failed = 1;
        snprintf(b->failure, sizeof b->failure, "%s", what);
    }
    xmpp_disconnect(b->conn);
}

/* The presence echo: an available presence from our own full JID. */
static int on_presence(xmpp_conn_t *conn, xmpp_stanza_t *stanza, void *userdata) {
    bench *b = userdata;
    const char *from = xmpp_stanza_get_from(stanza);
    const char *type = xmpp_stanza_get_type(stanza);
    if (from && !type && strcmp(from, b->self_jid) == 0 && !b->presence_seen) {
        b->presence_seen = 1;
        if (b->scenario == 0) {
            xmpp_disconnect(conn);
        } else if (b->scenario == 1) {
            b->phase_start = now_s();
            b->phase_cpu_start = cpu_s();
            send_roundtrip(b); /* the first of N */
        } else if (b->scenario == 2) {
            b->phase_start = now_s();
            b->phase_cpu_start = cpu_s();
            if (b->opt->ready_file) {
                int fd = open(b->opt->ready_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
                if (fd >= 0) close(fd);
            }
        } else if (b->scenario == 3) {
            b->phase_start = now_s();
            b->phase_cpu_start = cpu_s();
        }
    }
    return 1;
}

static xmpp_stanza_t *make_message(bench *b, const char *to, const char *id, const char *body) {
    xmpp_stanza_t *msg = xmpp_message_new(b->ctx, "chat", to, id);
    xmpp_message_set_body(msg, body);
    xmpp_stanza_t *hint = xmpp_stanza_new(b->ctx);
    xmpp_stanza_set_name(hint, "no-store");
    xmpp_stanza_set_ns(hint, "urn:xmpp:hints");
    xmpp_stanza_add_child_ex(msg, hint, 0);
    return msg;
}

static void fill_body(char *body, long seq) {
    /* 100 ASCII bytes: a sequence number padded with letters */
    int len = snprintf(body, BODY_BYTES + 1, "%010ld ", seq);
    for (int i = len; i < BODY_BYTES; i++) body[i] = (char)('a' + (i % 26));
    body[BODY_BYTES] = '\0';
}

static void send_roundtrip(bench *b) {
    char id[32], body[BODY_BYTES + 1];
    snprintf(id, sizeof id, "rt-%ld", b->rt_index);
    fill_body(body, b->rt_index);
    xmpp_stanza_t *msg = make_message(b, b->self_jid, id, body);
    b->rt_sent_at = now_s();
    xmpp_send(b->conn, msg);
    xmpp_stanza_release(msg);
}

static int on_message(xmpp_conn_t *conn, xmpp_stanza_t *stanza, void *userdata) {
    bench *b = userdata;
    (void)conn;
    const char *type = xmpp_stanza_get_type(stanza);
    if (type && strcmp(type, "error") == 0) {
        fail(b, "message error from the server");
        return 1;
    }
    if (b->scenario == 1) {
        char expected[32];
        snprintf(expected, sizeof expected, "rt-%ld", b->rt_index);
        const char *id = xmpp_stanza_get_id(stanza);
        if (!id || strcmp(id, expected) != 0) return 1;
        b->samples[b->rt_index] = (now_s() - b->rt_sent_at) * 1e6;
        b->rt_index++;
        if (b->rt_index == b->n) {
            b->last_at = now_s();
            b->finished = 1;
            xmpp_disconnect(b->conn);
        } else {
            /* Between two round trips, so never inside a measured one. */
            if (b->rt_delay_s > 0) {
                double until = now_s() + b->rt_delay_s;
                while (now_s() < until) {}
            }
            send_roundtrip(b);
        }
    } else if (b->scenario == 3) {
        const char *id = xmpp_stanza_get_id(stanza);
        if (id && strcmp(id, b->marker_id) == 0 && !b->finished) {
            b->finished = 1;
            xmpp_disconnect(b->conn);
        }
    } else if (b->scenario == 2) {
        /* Only what was sent to this session: Prosody re-routes what an
           earlier session of the account left unacknowledged, addressed to
           that session's resource. */
        const char *to = xmpp_stanza_get_to(stanza);
        if (!to || strcmp(to, b->self_jid) != 0) return 1;
        double t = now_s();
        if (b->received == 0) b->first_at = t;
        b->received++;
        if (b->received == b->n) {
            b->last_at = t;
            b->finished = 1;
            xmpp_disconnect(b->conn);
        }
    }
    return 1;
}

static void on_conn(xmpp_conn_t *conn, xmpp_conn_event_t status, int error,
                    xmpp_stream_error_t *stream_error, void *userdata) {
    bench *b = userdata;
    (void)stream_error;
    if (status == XMPP_CONN_CONNECT) {
        if (!xmpp_conn_is_secured(conn)) {
            fail(b, "connection not secured");
            return;
        }
        b->connected = 1;
        snprintf(b->self_jid, sizeof b->self_jid, "%s", xmpp_conn_get_bound_jid(conn));
        xmpp_handler_add(conn, on_presence, NULL, "presence", NULL, b);
        xmpp_handler_add(conn, on_message, NULL, "message", NULL, b);
        xmpp_stanza_t *pres = xmpp_presence_new(b->ctx);
        xmpp_send(conn, pres);
        xmpp_stanza_release(pres);
    } else {
        if (!b->connected && !b->failed) {
            b->failed = 1;
            snprintf(b->failure, sizeof b->failure, "connection failed (error %d)", error);
        }
        b->closed = 1;
        xmpp_stop(b->ctx);
    }
}

static int start(bench *b) {
    const options *o = b->opt;
    char jid[512];
    if (o->resource)
        snprintf(jid, sizeof jid, "%s@%s/%s", o->user, o->domain, o->resource);
    else
        snprintf(jid, sizeof jid, "%s@%s", o->user, o->domain);
    b->conn = xmpp_conn_new(b->ctx);
    /* libstrophe enables XEP-0198 by default (and then asks for an ack
     * after every stanza); --sm off switches it off */
    xmpp_conn_set_flags(b->conn, XMPP_CONN_FLAG_MANDATORY_TLS | (o->no_sm ? XMPP_CONN_FLAG_DISABLE_SM : 0));
    xmpp_conn_set_cafile(b->conn, o->ca);
    xmpp_conn_set_jid(b->conn, jid);
    xmpp_conn_set_pass(b->conn, o->password);
    if (xmpp_connect_client(b->conn, o->host, o->port, on_conn, b) != XMPP_EOK) {
        snprintf(b->failure, sizeof b->failure, "xmpp_connect_client failed");
        b->failed = 1;
        return -1;
    }
    return 0;
}

/* The sender's loop: keeps at most SEND_WINDOW stanzas queued in libstrophe,
 * so the messages are serialised as the socket drains, not all up front. */
static void run_sender(bench *b) {
    char body[BODY_BYTES + 1], id[32];
    while (!b->closed) {
        if (b->presence_seen && !b->failed && b->sent < b->n) { /* b->sent == n + 1 after the marker */
            while (b->sent < b->n && xmpp_conn_send_queue_len(b->conn) < SEND_WINDOW) {
                snprintf(id, sizeof id, "m%ld", b->sent);
                fill_body(body, b->sent);
                xmpp_stanza_t *msg = make_message(b, b->opt->to, id, body);
                xmpp_send(b->conn, msg);
                xmpp_stanza_release(msg);
                b->sent++;
            }
            if (b->sent == b->n) {
                /* The server handles a session's stanzas in order: once a
                 * message to ourselves comes back, it has routed all N.
                 * Closing earlier can lose messages: closing a socket with
                 * unread acks in it resets the connection, and the server's
                 * kernel then drops what Prosody has not read yet. */
                xmpp_stanza_t *marker = make_message(b, b->self_jid, b->marker_id, "done");
                xmpp_send(b->conn, marker);
                xmpp_stanza_release(marker);
                b->sent++;
            }
        }
        xmpp_run_once(b->ctx, 1);
    }
}

/* One round trip per line, in the order they ran. */
static int write_samples(const char *path, const double *samples, long n) {
    FILE *file = fopen(path, "w");
    if (!file) return -1;
    for (long i = 0; i < n; i++) fprintf(file, "%.1f\n", samples[i]);
    return fclose(file);
}

static void usage(void) {
    fprintf(stderr, "usage: strophe_bench login|roundtrip|recv|send|idle N --host H --port P --domain D --ca FILE "
                    "--user U --password PW [--resource R] [--to JID] [--ready-file PATH] [--sm on|off]\n"
                    "       [--samples FILE] (roundtrip)\n"
                    "       [--parallel K] [--settle S] [--best-effort on|off] (idle)\n");
    exit(2);
}

int main(int argc, char **argv) {
    if (argc < 3) usage();
    options o = {0};
    o.host = "127.0.0.1";
    o.port = 15222;
    o.domain = "xmpp.test";
    o.parallel = 32;
    o.settle = 2.0;
    const char *scenario = argv[1];
    long n = strtol(argv[2], NULL, 10);
    for (int i = 3; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--host")) o.host = v;
        else if (!strcmp(k, "--port")) o.port = (unsigned short)atoi(v);
        else if (!strcmp(k, "--domain")) o.domain = v;
        else if (!strcmp(k, "--ca")) o.ca = v;
        else if (!strcmp(k, "--user")) o.user = v;
        else if (!strcmp(k, "--password")) o.password = v;
        else if (!strcmp(k, "--resource")) o.resource = v;
        else if (!strcmp(k, "--to")) o.to = v;
        else if (!strcmp(k, "--ready-file")) o.ready_file = v;
        else if (!strcmp(k, "--sm")) o.no_sm = !strcmp(v, "off");
        else if (!strcmp(k, "--samples")) o.samples_file = v;
        else if (!strcmp(k, "--parallel")) o.parallel = atol(v);
        else if (!strcmp(k, "--settle")) o.settle = atof(v);
        else if (!strcmp(k, "--best-effort")) o.best_effort = !strcmp(v, "on");
        else usage();
    }
    int sc = !strcmp(scenario, "login") ? 0 : !strcmp(scenario, "roundtrip") ? 1
           : !strcmp(scenario, "recv") ? 2 : !strcmp(scenario, "send") ? 3
           : !strcmp(scenario, "idle") ? 4 : -1;
    if (sc < 0 || n <= 0 || !o.ca || !o.user || !o.password || (sc == 3 && !o.to)) usage();
    if (o.parallel <= 0 || o.settle < 0) usage();

    /* a write racing the server's close must fail with EPIPE, not kill us */
    signal(SIGPIPE, SIG_IGN);
    xmpp_initialize();
    const char *debug = getenv("STROPHE_BENCH_DEBUG");
    xmpp_log_t *log = debug ? xmpp_get_default_logger(XMPP_LEVEL_DEBUG) : NULL;
    xmpp_ctx_t *ctx = xmpp_ctx_new(NULL, log);
    int status = 0;

    if (sc == 4) {
        status = run_idle(ctx, &o, n);
    } else if (sc == 0) {
        double *wall = calloc((size_t)n, sizeof *wall);
        double t_all = now_s(), c_all = cpu_s();
        for (long i = 0; i < n; i++) {
            bench b = {0};
            b.ctx = ctx; b.opt = &o; b.scenario = 0; b.n = 1;
            double t0 = now_s();
            if (start(&b) == 0) xmpp_run(ctx);
            wall[i] = (now_s() - t0) * 1e3;
            if (b.conn) xmpp_conn_release(b.conn);
            if (b.failed || !b.presence_seen) {
                fprintf(stderr, "login %ld failed: %s\n", i, b.failed ? b.failure : "no presence echo");
                status = 1;
                n = i;
                break;
            }
        }
        double total = now_s() - t_all, cpu = cpu_s() - c_all;
        if (status == 0) {
            qsort(wall, (size_t)n, sizeof *wall, bench_cmp_double);
            printf("{\"client\":\"libstrophe\",\"scenario\":\"login\",\"n\":%ld,\"wall_s\":%.4f,"
                   "\"wall_ms_per_op\":%.3f,\"wall_ms_median\":%.3f,\"wall_ms_p99\":%.3f,"
                   "\"cpu_ms_per_op\":%.3f}\n",
                   n, total, total * 1e3 / (double)n, bench_quantile(wall, n, 0.5), bench_quantile(wall, n, 0.99),
                   cpu * 1e3 / (double)n);
        }
        free(wall);
    } else {
        bench b = {0};
        b.ctx = ctx; b.opt = &o; b.scenario = sc; b.n = n;
        snprintf(b.marker_id, sizeof b.marker_id, "done-%ld", (long)getpid());
        if (sc == 1) b.samples = calloc((size_t)n, sizeof *b.samples);
        const char *delay = getenv("STROPHE_BENCH_RT_DELAY_US");
        if (delay) b.rt_delay_s = atof(delay) * 1e-6;
        if (start(&b) == 0) {
            if (sc == 3) run_sender(&b);
            else xmpp_run(ctx);
        }
        double end = now_s(), cpu_end = cpu_s();
        if (b.failed || !b.finished) {
            fprintf(stderr, "%s failed: %s\n", scenario, b.failed ? b.failure : "stream closed early");
            status = 1;
        } else if (sc == 1) {
            if (o.samples_file && write_samples(o.samples_file, b.samples, n) != 0) {
                fprintf(stderr, "cannot write %s\n", o.samples_file);
                status = 1;
            }
            qsort(b.samples, (size_t)n, sizeof *b.samples, bench_cmp_double);
            printf("{\"client\":\"libstrophe\",\"scenario\":\"roundtrip\",\"n\":%ld,\"wall_s\":%.4f,"
                   "\"rtt_us_median\":%.1f,\"rtt_us_p99\":%.1f,\"cpu_us_per_op\":%.1f}\n",
                   n, b.last_at - b.phase_start, bench_quantile(b.samples, n, 0.5), bench_quantile(b.samples, n, 0.99),
                   (cpu_end - b.phase_cpu_start) * 1e6 / (double)n);
        } else if (sc == 2) {
            double wall = b.last_at - b.first_at;
            printf("{\"client\":\"libstrophe\",\"scenario\":\"recv\",\"n\":%ld,\"wall_s\":%.4f,"
                   "\"msgs_per_s\":%.1f,\"cpu_ms_per_10k\":%.3f}\n",
                   n, wall, wall > 0 ? (double)n / wall : 0, (cpu_end - b.phase_cpu_start) * 1e3 * 1e4 / (double)n);
        } else {
            double wall = end - b.phase_start;
            printf("{\"client\":\"libstrophe\",\"scenario\":\"send\",\"n\":%ld,\"wall_s\":%.4f,"
                   "\"msgs_per_s\":%.1f,\"cpu_ms_per_10k\":%.3f}\n",
                   n, wall, wall > 0 ? (double)n / wall : 0, (cpu_end - b.phase_cpu_start) * 1e3 * 1e4 / (double)n);
        }
        if (b.conn) xmpp_conn_release(b.conn);
        free(b.samples);
    }
    xmpp_ctx_free(ctx);
    xmpp_shutdown();
    return status;
}
