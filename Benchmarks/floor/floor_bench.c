/*
 * floor_bench: the round-trip scenario with no XMPP library at all, the
 * floor beside libstrophe and swift-xmpp in Benchmarks/Scripts/session-bench.sh
 * (--floor). It answers one question: what round trip can any client reach
 * against this Prosody on this machine, when it does nothing but the
 * unavoidable work (one TLS record written per message, one read and one
 * decryption per echo)?
 *
 *   floor_bench roundtrip N --host H --port P --domain D --ca FILE
 *               --user U --password PW [--sm on|off] [--wait poll|epoll|read]
 *               [--samples FILE]
 *
 * Login: STARTTLS, GnuTLS with the certificate verified against --ca for
 * --domain (RFC 6125 name check by GnuTLS), SASL PLAIN (over TLS only),
 * bind, XEP-0198 enabled unless --sm off, an available presence sent and
 * its echo awaited. With XEP-0198 the floor never asks for acks; it
 * answers the server's <r/> once --ack-after stanzas (default 100, the
 * library's default) arrived since its last answer, in the same record as
 * its next message, as the library's turn-end flush does.
 * Then N sequential messages (100-byte body and a XEP-0334 <no-store/>
 * hint, as the other two clients send) to the session's own full JID, each
 * waiting for its echo; one JSON line with the same fields as the others.
 *
 * No XML parser: the server's elements are cut out of the stream by the
 * names this scenario can receive (stream features, SASL and bind answers,
 * message, presence, iq, and XEP-0198's enabled and r), which is enough for a
 * conversation with a known server and nothing more. That is the point of
 * a floor: parsing, a stanza model and an event loop are what a library
 * adds on top of it.
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
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "bench_clock.h"

#define BODY_BYTES 100
#define READ_CHUNK 16384

/* How fill_raw waits for bytes (--wait). */
enum wait_mode { WAIT_POLL, WAIT_EPOLL, WAIT_READ };

typedef struct {
    const char *host, *domain, *ca, *user, *password, *samples_file;
    const char *port;
    int sm;
    enum wait_mode wait;
    unsigned long ack_after;
} options;

typedef struct {
    int fd;
    enum wait_mode wait;
    int epoll_fd; /* with WAIT_EPOLL: an epoll instance holding fd */
    gnutls_session_t tls; /* NULL before STARTTLS */
    /* bytes read from the socket, not yet given to GnuTLS */
    unsigned char raw[READ_CHUNK];
    size_t raw_start, raw_end;
    /* plaintext not yet cut into elements */
    char *text;
    size_t text_len, text_cap;
    char jid[512];
    int sm;
    unsigned long inbound;  /* XEP-0198 count of stanzas received */
    unsigned long answered; /* the count in our last <a/> */
    unsigned long ack_after;
    int request_pending;    /* the server's <r/> not answered yet */
} conn;

static void die(const char *format, ...) {
    va_list args;
    va_start(args, format);
    fputs("floor_bench: ", stderr);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    exit(1);
}

/* Reads from the socket into c->raw (which must be empty): one poll(2)
 * or epoll_wait(2) first (--wait poll, epoll), then one read(2) of
 * whatever is there. */
static void fill_raw(conn *c) {
    if (c->wait == WAIT_POLL) {
        struct pollfd p = {.fd = c->fd, .events = POLLIN};
        while (poll(&p, 1, -1) < 0)
            if (errno != EINTR) die("poll: %s", strerror(errno));
    } else if (c->wait == WAIT_EPOLL) {
        struct epoll_event ready;
        while (epoll_wait(c->epoll_fd, &ready, 1, -1) < 0)
            if (errno != EINTR) die("epoll_wait: %s", strerror(errno));
    }
    ssize_t n;
    do n = read(c->fd, c->raw, sizeof c->raw); while (n < 0 && errno == EINTR);
    if (n < 0) die("read: %s", strerror(errno));
    if (n == 0) die("the server closed the connection");
    c->raw_start = 0;
    c->raw_end = (size_t)n;
}

/* GnuTLS's transport: records come out of c->raw, refilled by one read
 * when empty, so a record that arrives alone costs one read. */
static ssize_t tls_pull(gnutls_transport_ptr_t pointer, void *data, size_t size) {
    conn *c = pointer;
    if (c->raw_start == c->raw_end) fill_raw(c);
    size_t n = c->raw_end - c->raw_start;
    if (n > size) n = size;
    memcpy(data, c->raw + c->raw_start, n);
    c->raw_start += n;
    return (ssize_t)n;
}

static ssize_t tls_push(gnutls_transport_ptr_t pointer, const void *data, size_t size) {
    conn *c = pointer;
    ssize_t n;
    do n = send(c->fd, data, size, MSG_NOSIGNAL); while (n < 0 && errno == EINTR);
    if (n < 0) gnutls_transport_set_errno(c->tls, errno);
    return n;
}

/* Writes all of `bytes`: one TLS record (or one send before STARTTLS). */
static void write_text(conn *c, const char *bytes, size_t len) {
    while (len > 0) {
        ssize_t n;
        if (c->tls) {
            do n = gnutls_record_send(c->tls, bytes, len);
            while (n == GNUTLS_E_INTERRUPTED || n == GNUTLS_E_AGAIN);
            if (n < 0) die("TLS write: %s", gnutls_strerror((int)n));
        } else {
            do n = send(c->fd, bytes, len, MSG_NOSIGNAL); while (n < 0 && errno == EINTR);
            if (n < 0) die("write: %s", strerror(errno));
        }
        bytes += n;
        len -= (size_t)n;
    }
}

static void write_str(conn *c, const char *s) { write_text(c, s, strlen(s)); }

/* Appends what arrives next (plaintext) to c->text. */
static void read_more(conn *c) {
    if (c->text_cap - c->text_len < READ_CHUNK + 1) {
        c->text_cap = c->text_cap * 2 + READ_CHUNK + 1;
        c->text = realloc(c->text, c->text_cap);
        if (!c->text) die("out of memory");
    }
    if (c->tls) {
        ssize_t n;
        do n = gnutls_record_recv(c->tls, c->text + c->text_len, READ_CHUNK);
        while (n == GNUTLS_E_INTERRUPTED || n == GNUTLS_E_AGAIN);
        if (n < 0) die("TLS read: %s", gnutls_strerror((int)n));
        if (n == 0) die("the server closed the TLS session");
        c->text_len += (size_t)n;
    } else {
        /* before STARTTLS the server sends nothing past <proceed/> */
        if (c->raw_start == c->raw_end) fill_raw(c);
        size_t n = c->raw_end - c->raw_start;
        memcpy(c->text + c->text_len, c->raw + c->raw_start, n);
        c->raw_start = c->raw_end;
        c->text_len += n;
    }
    c->text[c->text_len] = '\0';
}

static void consume(conn *c, size_t count) {
    memmove(c->text, c->text + count, c->text_len - count);
    c->text_len -= count;
    c->text[c->text_len] = '\0';
}

/* Reads until `marker` has arrived; drops everything up to its end. */
static void expect(conn *c, const char *marker) {
    for (;;) {
        char *at = c->text ? strstr(c->text, marker) : NULL;
        if (at) {
            consume(c, (size_t)(at - c->text) + strlen(marker));
            return;
        }
        if (c->text && (strstr(c->text, "<failure") || strstr(c->text, "<stream:error") ||
                        strstr(c->text, "type='error'")))
            die("the server refused (expecting %s): %.300s", marker, c->text);
        read_more(c);
    }
}

/* The length of the first complete top-level element in c->text (after
 * whitespace), or 0 when it has not all arrived. Cuts by the element's
 * name: a self-closing start tag, or up to the first matching end tag
 * (none of the stanzas this scenario receives nests its own name). */
static size_t element_length(const conn *c, size_t *skip) {
    size_t i = 0;
    while (i < c->text_len && c->text[i] != '<') i++;
    *skip = i;
    if (i == c->text_len) return 0;
    const char *start = c->text + i;
    const char *tag_end = strchr(start, '>');
    if (!tag_end) return 0;
    if (tag_end[-1] == '/') return (size_t)(tag_end - start) + 1;
    size_t name_len = strcspn(start + 1, " \t\r\n/>");
    char closing[64];
    if (name_len + 4 > sizeof closing) die("unexpected element %.40s", start);
    snprintf(closing, sizeof closing, "</%.*s>", (int)name_len, start + 1);
    const char *end = strstr(tag_end, closing);
    if (!end) return 0;
    return (size_t)(end - start) + strlen(closing);
}

static int starts_with(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

/* Reads the next stanza into out (NUL-terminated), counting it for
 * XEP-0198; the server's <r/> on the way is noted for due_answer. */
static void next_stanza(conn *c, char *out, size_t out_cap) {
    for (;;) {
        size_t skip, len;
        while ((len = element_length(c, &skip)) == 0) read_more(c);
        const char *element = c->text + skip;
        if (starts_with(element, "<r ") || starts_with(element, "<r/")) {
            c->request_pending = 1;
            consume(c, skip + len);
            continue;
        }
        if (starts_with(element, "<stream:error")) die("stream error: %.*s", (int)len, element);
        /* the floor never sends <r/>, so no <a/> comes back: only stanzas */
        if (!starts_with(element, "<message") && !starts_with(element, "<presence") && !starts_with(element, "<iq"))
            die("unexpected element %.80s", element);
        if (len + 1 > out_cap) die("a stanza of %zu bytes", len);
        c->inbound++;
        memcpy(out, element, len);
        out[len] = '\0';
        consume(c, skip + len);
        return;
    }
}

/* Writes into `out` the answer to the server's <r/> when one is due (a
 * request is waiting and --ack-after stanzas arrived since the last
 * answer), as the library does by count; returns its length, else 0. The
 * caller sends it in the same record as its next message. */
static size_t due_answer(conn *c, char *out, size_t cap) {
    if (!c->request_pending || c->inbound - c->answered < c->ack_after) return 0;
    c->request_pending = 0;
    c->answered = c->inbound;
    return (size_t)snprintf(out, cap, "<a xmlns='urn:xmpp:sm:3' h='%lu'/>", c->inbound);
}

static void open_stream(conn *c, const char *domain) {
    char header[512];
    snprintf(header, sizeof header,
             "<?xml version='1.0'?><stream:stream to='%s' version='1.0' xmlns='jabber:client' "
             "xmlns:stream='http://etherx.jabber.org/streams'>", domain);
    write_str(c, header);
    expect(c, "</stream:features>");
}

static void base64(const unsigned char *in, size_t len, char *out) {
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (i + 1 < len ? (unsigned)in[i + 1] << 8 : 0) |
                     (i + 2 < len ? in[i + 2] : 0);
        out[o++] = digits[v >> 18 & 63];
        out[o++] = digits[v >> 12 & 63];
        out[o++] = i + 1 < len ? digits[v >> 6 & 63] : '=';
        out[o++] = i + 2 < len ? digits[v & 63] : '=';
    }
    out[o] = '\0';
}

static int connect_tcp(const options *o) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *list;
    int status = getaddrinfo(o->host, o->port, &hints, &list);
    if (status != 0) die("%s: %s", o->host, gai_strerror(status));
    int fd = -1;
    for (struct addrinfo *a = list; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(list);
    if (fd < 0) die("cannot connect to %s port %s", o->host, o->port);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void start_tls(conn *c, const options *o, gnutls_certificate_credentials_t credentials) {
    write_str(c, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    expect(c, "<proceed");
    expect(c, ">");
    c->text_len = 0; /* the plaintext stream ends at <proceed/> */
    int status;
    if ((status = gnutls_init(&c->tls, GNUTLS_CLIENT)) < 0 ||
        (status = gnutls_set_default_priority(c->tls)) < 0 ||
        (status = gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE, credentials)) < 0 ||
        (status = gnutls_server_name_set(c->tls, GNUTLS_NAME_DNS, o->domain, strlen(o->domain))) < 0)
        die("TLS set-up: %s", gnutls_strerror(status));
    /* verified against --ca for the XMPP domain, or the handshake fails */
    gnutls_session_set_verify_cert(c->tls, o->domain, 0);
    gnutls_transport_set_ptr(c->tls, c);
    gnutls_transport_set_pull_function(c->tls, tls_pull);
    gnutls_transport_set_push_function(c->tls, tls_push);
    do status = gnutls_handshake(c->tls); while (status < 0 && !gnutls_error_is_fatal(status));
    if (status < 0) die("TLS handshake: %s", gnutls_strerror(status));
}

static void log_in(conn *c, const options *o) {
    static gnutls_certificate_credentials_t credentials;
    if (gnutls_certificate_allocate_credentials(&credentials) < 0) die("no TLS credentials");
    if (gnutls_certificate_set_x509_trust_file(credentials, o->ca, GNUTLS_X509_FMT_PEM) <= 0)
        die("no CA certificate in %s", o->ca);
    c->fd = connect_tcp(o);
    c->wait = o->wait;
    if (c->wait == WAIT_EPOLL) {
        c->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        if (c->epoll_fd < 0) die("epoll_create1: %s", strerror(errno));
        struct epoll_event interest = {.events = EPOLLIN, .data.fd = c->fd};
        if (epoll_ctl(c->epoll_fd, EPOLL_CTL_ADD, c->fd, &interest) < 0) die("epoll_ctl: %s", strerror(errno));
    }
    c->ack_after = o->ack_after;
    open_stream(c, o->domain);
    start_tls(c, o, credentials);
    open_stream(c, o->domain);

    /* PLAIN: authzid empty, authcid, password; only ever over TLS */
    unsigned char plain[512];
    size_t ul = strlen(o->user), pl = strlen(o->password);
    if (ul + pl + 2 > sizeof plain) die("user name or password too long");
    plain[0] = 0;
    memcpy(plain + 1, o->user, ul);
    plain[1 + ul] = 0;
    memcpy(plain + 2 + ul, o->password, pl);
    char encoded[700], auth[800];
    base64(plain, ul + pl + 2, encoded);
    snprintf(auth, sizeof auth, "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>%s</auth>", encoded);
    write_str(c, auth);
    expect(c, "<success");
    expect(c, ">");
    open_stream(c, o->domain);

    write_str(c, "<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>");
    expect(c, "<jid>");
    char *end = strstr(c->text, "</jid>");
    while (!end) {
        read_more(c);
        end = strstr(c->text, "</jid>");
    }
    size_t jid_len = (size_t)(end - c->text);
    if (jid_len + 1 > sizeof c->jid) die("bound JID too long");
    memcpy(c->jid, c->text, jid_len);
    c->jid[jid_len] = '\0';
    expect(c, "</iq>");

    if (o->sm) {
        write_str(c, "<enable xmlns='urn:xmpp:sm:3'/>");
        expect(c, "<enabled");
        expect(c, ">");
        c->sm = 1;
    }
}

int main(int argc, char **argv) {
    options o = {.sm = 1, .wait = WAIT_POLL, .ack_after = 100};
    const char *usage = "usage: floor_bench roundtrip N --host H --port P --domain D --ca FILE --user U "
                        "--password PW [--sm on|off] [--ack-after K] [--wait poll|epoll|read] [--samples FILE]\n";
    if (argc < 3 || strcmp(argv[1], "roundtrip") != 0) { fputs(usage, stderr); return 2; }
    long n = strtol(argv[2], NULL, 10);
    for (int i = 3; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--host")) o.host = v;
        else if (!strcmp(k, "--port")) o.port = v;
        else if (!strcmp(k, "--domain")) o.domain = v;
        else if (!strcmp(k, "--ca")) o.ca = v;
        else if (!strcmp(k, "--user")) o.user = v;
        else if (!strcmp(k, "--password")) o.password = v;
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

    static char stanza[65536];
    char jid_attr[600];
    snprintf(jid_attr, sizeof jid_attr, "from='%s'", c.jid);
    write_str(&c, "<presence/>");
    for (;;) { /* our own available presence, echoed */
        next_stanza(&c, stanza, sizeof stanza);
        char *tag_end = strchr(stanza, '>');
        *tag_end = '\0';
        int echo = starts_with(stanza, "<presence") && strstr(stanza, jid_attr) && !strstr(stanza, " type=");
        if (echo) break;
    }

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
        answer_len = due_answer(&c, message, 96);
        snprintf(message + answer_len, sizeof message - answer_len,
                 "<message to='%s' id='rt-%ld' type='chat'><body>%s</body>"
                 "<no-store xmlns='urn:xmpp:hints'/></message>", c.jid, i, body);
        snprintf(id_attr, sizeof id_attr, "id='rt-%ld'", i);
        double sent_at = bench_now_s();
        write_str(&c, message);
        for (;;) {
            next_stanza(&c, stanza, sizeof stanza);
            if (!starts_with(stanza, "<message")) continue;
            char *tag_end = strchr(stanza, '>');
            *tag_end = '\0';
            if (strstr(stanza, " type='error'")) die("message error from the server");
            if (strstr(stanza, id_attr)) break;
        }
        samples[i] = (bench_now_s() - sent_at) * 1e6;
    }
    double wall = bench_now_s() - phase_start, cpu = bench_cpu_s() - phase_cpu;
    write_str(&c, "</stream:stream>");

    if (o.samples_file) {
        FILE *file = fopen(o.samples_file, "w");
        if (!file) die("cannot write %s", o.samples_file);
        for (long i = 0; i < n; i++) fprintf(file, "%.1f\n", samples[i]);
        if (fclose(file) != 0) die("cannot write %s", o.samples_file);
    }
    qsort(samples, (size_t)n, sizeof *samples, bench_cmp_double);
    printf("{\"client\":\"c-floor\",\"scenario\":\"roundtrip\",\"n\":%ld,\"wall_s\":%.4f,"
           "\"rtt_us_median\":%.1f,\"rtt_us_p99\":%.1f,\"cpu_us_per_op\":%.1f}\n",
           n, wall, bench_quantile(samples, n, 0.5), bench_quantile(samples, n, 0.99), cpu * 1e6 / (double)n);
    gnutls_bye(c.tls, GNUTLS_SHUT_WR);
    close(c.fd);
    free(samples);
    free(c.text);
    return 0;
}
