/*
 * The connection half of floor_bench (floor_bench.c has the scenarios): a
 * TCP socket, GnuTLS after STARTTLS with the certificate verified, SASL
 * PLAIN, bind, XEP-0198, and stanzas cut out of the plaintext by name, with
 * no XML parser. See floor_bench.c for what the floor is for.
 */
#ifndef FLOOR_CONN_H
#define FLOOR_CONN_H

#include <stddef.h>
#include <sys/types.h>

#include <gnutls/gnutls.h>

#define READ_CHUNK 16384

/* How fill_raw waits for bytes (--wait). */
enum wait_mode { WAIT_POLL, WAIT_EPOLL, WAIT_READ };

typedef struct {
    const char *host, *domain, *ca, *user, *password, *samples_file;
    const char *port;
    const char *resource; /* bind asks for it; NULL lets the server pick */
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

/* Prints "floor_bench: " and the message to standard error; exits 1. */
void die(const char *format, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Connects, STARTTLS (verified against o->ca for o->domain), SASL PLAIN,
 * bind (to o->resource when set; the bound JID lands in c->jid), and
 * XEP-0198 unless o->sm is 0. */
void log_in(conn *c, const options *o);

/* Writes all of `bytes`: one TLS record (or one send before STARTTLS). */
void write_text(conn *c, const char *bytes, size_t len);
void write_str(conn *c, const char *s);

int starts_with(const char *s, const char *prefix);

/* Reads the next stanza into out (NUL-terminated), counting it for
 * XEP-0198; the server's <r/> on the way is noted for due_answer. */
void next_stanza(conn *c, char *out, size_t out_cap);

/* Writes into `out` the answer to the server's <r/> when one is due (a
 * request is waiting and --ack-after stanzas arrived since the last
 * answer), as the library does by count; returns its length, else 0. */
size_t due_answer(conn *c, char *out, size_t cap);

#endif
