/* The connection half of floor_bench. The functions that floor_bench.c
 * calls are described in floor_conn.h. */
#define _GNU_SOURCE
#include "floor_conn.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

void die(const char *format, ...) {
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

void write_text(conn *c, const char *bytes, size_t len) {
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

void write_str(conn *c, const char *s) { write_text(c, s, strlen(s)); }

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

int starts_with(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

void next_stanza(conn *c, char *out, size_t out_cap) {
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

size_t due_answer(conn *c, char *out, size_t cap) {
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

void log_in(conn *c, const options *o) {
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

    char bind[600];
    if (o->resource) {
        /* the resource comes from the command line: plain ASCII, no markup */
        if (strlen(o->resource) > 256 || strpbrk(o->resource, "<>&'\"")) die("unusable resource %s", o->resource);
        snprintf(bind, sizeof bind, "<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
                 "<resource>%s</resource></bind></iq>", o->resource);
    } else {
        snprintf(bind, sizeof bind, "<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>");
    }
    write_str(c, bind);
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

