/*
 * floor_bench: the session scenarios with no XMPP library at all, the floor
 * beside libstrophe and swift-xmpp in Benchmarks/Scripts/session-bench.sh
 * (--floor, round trip) and Benchmarks/Scripts/receiver-cross.sh (--floor,
 * receiver). It answers one question per scenario: what can any client
 * reach against this Prosody on this machine, when it does nothing but the
 * unavoidable work (one TLS record written per message, reads and
 * decryption of what arrives)?
 *
 *   floor_bench roundtrip N --host H --port P --domain D --ca FILE
 *               --user U --password PW [--sm on|off] [--ack-after K]
 *               [--wait poll|epoll|read] [--samples FILE]
 *   floor_bench recv N [the same options] [--resource R] [--ready-file PATH]
 *
 * Login (floor_conn.c): STARTTLS, GnuTLS with the certificate verified
 * against --ca for --domain (RFC 6125 name check by GnuTLS), SASL PLAIN
 * (over TLS only), bind (to --resource when given), XEP-0198 enabled unless
 * --sm off, an available presence sent and its echo awaited. With
 * XEP-0198 the floor never asks for acks; it answers the server's <r/>
 * once --ack-after stanzas (default 100, the library's default) arrived
 * since its last answer.
 *
 * roundtrip: N sequential messages (100-byte body and a XEP-0334
 * <no-store/> hint, as the other two clients send) to the session's own
 * full JID, each waiting for its echo; a due <a/> goes in the same record
 * as the next message, as the library's turn-end flush does.
 *
 * recv: creates --ready-file once the session is available, then counts
 * messages addressed to its full JID (Prosody re-routes what an earlier
 * session of the account left unacknowledged, to that session's resource:
 * those are not counted) until N came; a due <a/> is written at once, in
 * its own record. CPU is counted from the ready file on, as the other two
 * receivers count it.
 *
 * Each prints one JSON line with the same fields as the other clients.
 *
 * No XML parser: the server's elements are cut out of the stream by the
 * names these scenarios can receive (stream features, SASL and bind
 * answers, message, presence, iq, and XEP-0198's enabled and r), which is
 * enough for a conversation with a known server and nothing more. That is
 * the point of a floor: parsing, a stanza model and an event loop are what
 * a library adds on top of it.
 *
 * --wait poll (default) waits for bytes in poll(2) and then reads, the
 * pattern of an event loop (libstrophe waits in pselect); --wait epoll
 * waits in epoll_wait(2) on an epoll instance holding the socket, as NIO's
 * event loop does (the wake-up goes through the epoll instance's own wait
 * queue); --wait read blocks in read(2), which no event-driven client can
 * do.
 *
 * FLOOR_BENCH_RT_DELAY_US=D (a diagnostic, as strophe_bench.c's
 * STROPHE_BENCH_RT_DELAY_US) spins D microseconds after each echo before the
 * next message is sent, outside the measured round trips: it shows what a
 * client's time from the echo to its next message does to the round trip.
 *
 * Built by Benchmarks/Scripts/build-floor-bench.sh.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_clock.h"
#include "floor_conn.h"

#define BODY_BYTES 100

static char stanza[65536];

/* Sends an available presence and waits for its echo. */
static void become_available(conn *c) {
    char jid_attr[600];
    snprintf(jid_attr, sizeof jid_attr, "from='%s'", c->jid);
    write_str(c, "<presence/>");
    for (;;) {
        next_stanza(c, stanza, sizeof stanza);
        char *tag_end = strchr(stanza, '>');
        *tag_end = '\0';
        int echo = starts_with(stanza, "<presence") && strstr(stanza, jid_attr) && !strstr(stanza, " type=");
        if (echo) return;
    }
}

static void round_trips(conn *c, const options *o, long n) {
    double *samples = calloc((size_t)n, sizeof *samples);
    if (!samples) die("out of memory");
    char body[BODY_BYTES + 1], message[1024], id_attr[48];
    size_t answer_len;
    const char *delay = getenv("FLOOR_BENCH_RT_DELAY_US");
    double delay_s = delay ? atof(delay) * 1e-6 : 0;
    double phase_start = bench_now_s(), phase_cpu = bench_cpu_s();
    for (long i = 0; i < n; i++) {
        if (i > 0 && delay_s > 0) { /* between two round trips, never inside one */
            double until = bench_now_s() + delay_s;
            while (bench_now_s() < until) {}
        }
        int len = snprintf(body, sizeof body, "%010ld ", i);
        for (int k = len; k < BODY_BYTES; k++) body[k] = (char)('a' + (k % 26));
        body[BODY_BYTES] = '\0';
        answer_len = due_answer(c, message, 96);
        snprintf(message + answer_len, sizeof message - answer_len,
                 "<message to='%s' id='rt-%ld' type='chat'><body>%s</body>"
                 "<no-store xmlns='urn:xmpp:hints'/></message>", c->jid, i, body);
        snprintf(id_attr, sizeof id_attr, "id='rt-%ld'", i);
        double sent_at = bench_now_s();
        write_str(c, message);
        for (;;) {
            next_stanza(c, stanza, sizeof stanza);
            if (!starts_with(stanza, "<message")) continue;
            char *tag_end = strchr(stanza, '>');
            *tag_end = '\0';
            if (strstr(stanza, " type='error'")) die("message error from the server");
            if (strstr(stanza, id_attr)) break;
        }
        samples[i] = (bench_now_s() - sent_at) * 1e6;
    }
    double wall = bench_now_s() - phase_start, cpu = bench_cpu_s() - phase_cpu;

    if (o->samples_file) {
        FILE *file = fopen(o->samples_file, "w");
        if (!file) die("cannot write %s", o->samples_file);
        for (long i = 0; i < n; i++) fprintf(file, "%.1f\n", samples[i]);
        if (fclose(file) != 0) die("cannot write %s", o->samples_file);
    }
    qsort(samples, (size_t)n, sizeof *samples, bench_cmp_double);
    printf("{\"client\":\"c-floor\",\"scenario\":\"roundtrip\",\"n\":%ld,\"wall_s\":%.4f,"
           "\"rtt_us_median\":%.1f,\"rtt_us_p99\":%.1f,\"cpu_us_per_op\":%.1f}\n",
           n, wall, bench_quantile(samples, n, 0.5), bench_quantile(samples, n, 0.99), cpu * 1e6 / (double)n);
    free(samples);
}

static void receive(conn *c, const char *ready_file, long n) {
    char to_attr[600], answer[96];
    snprintf(to_attr, sizeof to_attr, " to='%s'", c->jid);
    double cpu_start = bench_cpu_s(), first = 0, last = 0;
    if (ready_file) {
        int fd = open(ready_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) die("cannot create %s", ready_file);
        close(fd);
    }
    long received = 0;
    while (received < n) {
        next_stanza(c, stanza, sizeof stanza);
        size_t answer_len = due_answer(c, answer, sizeof answer);
        if (answer_len > 0) write_text(c, answer, answer_len);
        if (!starts_with(stanza, "<message")) continue;
        char *tag_end = strchr(stanza, '>');
        *tag_end = '\0';
        if (strstr(stanza, " type='error'")) die("message error from the server");
        if (!strstr(stanza, to_attr)) continue;
        double t = bench_now_s();
        if (received == 0) first = t;
        last = t;
        received++;
    }
    double cpu = bench_cpu_s() - cpu_start, wall = last - first;
    printf("{\"client\":\"c-floor\",\"scenario\":\"recv\",\"n\":%ld,\"wall_s\":%.4f,"
           "\"msgs_per_s\":%.1f,\"cpu_ms_per_10k\":%.3f}\n",
           n, wall, wall > 0 ? (double)n / wall : 0, cpu * 1e3 * 1e4 / (double)n);
}

int main(int argc, char **argv) {
    options o = {.sm = 1, .wait = WAIT_POLL, .ack_after = 100};
    const char *ready_file = NULL;
    const char *usage = "usage: floor_bench roundtrip|recv N --host H --port P --domain D --ca FILE --user U "
                        "--password PW [--sm on|off] [--ack-after K] [--wait poll|epoll|read] [--samples FILE] "
                        "[--resource R] [--ready-file PATH]\n";
    if (argc < 3 || (strcmp(argv[1], "roundtrip") != 0 && strcmp(argv[1], "recv") != 0)) { fputs(usage, stderr); return 2; }
    int receiving = strcmp(argv[1], "recv") == 0;
    long n = strtol(argv[2], NULL, 10);
    for (int i = 3; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--host")) o.host = v;
        else if (!strcmp(k, "--port")) o.port = v;
        else if (!strcmp(k, "--domain")) o.domain = v;
        else if (!strcmp(k, "--ca")) o.ca = v;
        else if (!strcmp(k, "--user")) o.user = v;
        else if (!strcmp(k, "--password")) o.password = v;
        else if (!strcmp(k, "--resource")) o.resource = v;
        else if (!strcmp(k, "--ready-file")) ready_file = v;
        else if (!strcmp(k, "--sm")) o.sm = strcmp(v, "off") != 0;
        else if (!strcmp(k, "--wait")) {
            if (!strcmp(v, "poll")) o.wait = WAIT_POLL;
            else if (!strcmp(v, "epoll")) o.wait = WAIT_EPOLL;
            else if (!strcmp(v, "read")) o.wait = WAIT_READ;
            else { fputs(usage, stderr); return 2; }
        }
        else if (!strcmp(k, "--samples")) o.samples_file = v;
        else if (!strcmp(k, "--ack-after")) o.ack_after = strtoul(v, NULL, 10);
        else { fputs(usage, stderr); return 2; }
    }
    if (n <= 0 || o.ack_after == 0 || !o.host || !o.port || !o.domain || !o.ca || !o.user || !o.password) { fputs(usage, stderr); return 2; }
    signal(SIGPIPE, SIG_IGN);

    conn c = {0};
    log_in(&c, &o);
    become_available(&c);
    if (receiving) receive(&c, ready_file, n);
    else round_trips(&c, &o, n);

    write_str(&c, "</stream:stream>");
    gnutls_bye(c.tls, GNUTLS_SHUT_WR);
    close(c.fd);
    free(c.text);
    return 0;
}
