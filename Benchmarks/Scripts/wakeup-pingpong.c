// A diagnostic, not a scenario: what one wake-up of a halted vCPU costs a
// ping-pong between two processes, and what the waiting call adds.
//
// An echo process on CPU 0 and a client on CPU 1 exchange one byte over a
// Unix socket pair, N times. The echo spins about 10 µs per message (a
// stand-in for a server's work), so each side sleeps while the other runs,
// as the client and Prosody do in the round-trip scenario. The client waits
// for the echo in a blocking `read`, or in `epoll_wait`, `poll` or
// `pselect` first and then reads (an event loop's pattern: NIO waits in
// `epoll_wait`, libstrophe in `pselect`).
//
//   cc -O2 -o /tmp/wakeup-pingpong Benchmarks/Scripts/wakeup-pingpong.c
//   /tmp/wakeup-pingpong read|epoll|poll|select N [TOUCH_PAGES [THREADS]]
//
// TOUCH_PAGES: after each echo the client reads one byte of that many
// scattered pages of a 300 MiB mapping (touched once beforehand), to see
// whether pages touched after a wake-up cost more than on a warm CPU.
// THREADS: idle threads started in the client first.
//
// Prints the median round trip and the client's CPU per round trip in µs.
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum wait_kind { WAIT_READ, WAIT_EPOLL, WAIT_POLL, WAIT_SELECT };

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static double cpu_us(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e6 + u.ru_utime.tv_usec + u.ru_stime.tv_usec;
}

static void pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) { perror("sched_setaffinity"); exit(1); }
}

static void *idle_thread(void *unused) {
    (void)unused;
    for (;;) pause();
    return NULL;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void echo_loop(int fd) {
    pin(0);
    char byte;
    while (read(fd, &byte, 1) == 1) {
        volatile long work = 0;
        for (long i = 0; i < 20000; i++) work += i;
        if (write(fd, &byte, 1) != 1) break;
    }
    _exit(0);
}

static void wait_readable(enum wait_kind kind, int fd, int epoll_fd) {
    switch (kind) {
    case WAIT_READ:
        break;
    case WAIT_EPOLL: {
        struct epoll_event event;
        while (epoll_wait(epoll_fd, &event, 1, -1) < 0) {}
        break;
    }
    case WAIT_POLL: {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        while (poll(&p, 1, -1) < 0) {}
        break;
    }
    case WAIT_SELECT: {
        fd_set readable;
        FD_ZERO(&readable);
        FD_SET(fd, &readable);
        struct timespec timeout = {1, 0};
        pselect(fd + 1, &readable, NULL, NULL, &timeout, NULL);
        break;
    }
    }
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s read|epoll|poll|select N [TOUCH_PAGES [THREADS]]\n", argv[0]);
        return 2;
    }
    enum wait_kind kind = WAIT_READ;
    if (strcmp(argv[1], "epoll") == 0) kind = WAIT_EPOLL;
    else if (strcmp(argv[1], "poll") == 0) kind = WAIT_POLL;
    else if (strcmp(argv[1], "select") == 0) kind = WAIT_SELECT;
    else if (strcmp(argv[1], "read") != 0) { fprintf(stderr, "unknown wait %s\n", argv[1]); return 2; }
    long count = atol(argv[2]);
    long touch_pages = argc > 3 ? atol(argv[3]) : 0;
    int threads = argc > 4 ? atoi(argv[4]) : 0;
    if (count < 1) { fprintf(stderr, "N must be positive\n"); return 2; }

    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0) { perror("socketpair"); return 1; }
    pid_t child = fork();
    if (child < 0) { perror("fork"); return 1; }
    if (child == 0) {
        close(pair[0]);
        echo_loop(pair[1]);
    }
    close(pair[1]);
    pin(1);

    const size_t mapping_size = (size_t)300 << 20;
    volatile char *mapping = NULL;
    if (touch_pages > 0) {
        mapping = mmap(NULL, mapping_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mapping == MAP_FAILED) { perror("mmap"); return 1; }
        for (size_t i = 0; i < mapping_size; i += 4096) mapping[i] = 1;
    }
    for (int i = 0; i < threads; i++) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, idle_thread, NULL) != 0) { perror("pthread_create"); return 1; }
    }
    int epoll_fd = -1;
    if (kind == WAIT_EPOLL) {
        epoll_fd = epoll_create1(0);
        struct epoll_event event = {.events = EPOLLIN, .data.fd = pair[0]};
        if (epoll_fd < 0 || epoll_ctl(epoll_fd, EPOLL_CTL_ADD, pair[0], &event) != 0) { perror("epoll"); return 1; }
    }

    double *samples = malloc(sizeof(double) * (size_t)count);
    if (samples == NULL) return 1;
    double cpu_start = cpu_us();
    for (long i = 0; i < count; i++) {
        char byte = 'x';
        double start = now_us();
        if (write(pair[0], &byte, 1) != 1) { perror("write"); return 1; }
        wait_readable(kind, pair[0], epoll_fd);
        if (read(pair[0], &byte, 1) != 1) { perror("read"); return 1; }
        for (long page = 0; page < touch_pages; page++) {
            size_t offset = ((size_t)(page + i) * 7919u * 4096u) % mapping_size;
            (void)mapping[offset]; /* a volatile read: never optimised away */
        }
        samples[i] = now_us() - start;
    }
    double cpu = cpu_us() - cpu_start;
    qsort(samples, (size_t)count, sizeof(double), compare);
    printf("wait=%s n=%ld touch_pages=%ld threads=%d median_us=%.1f cpu_us_per_rt=%.1f\n", argv[1], count,
           touch_pages, threads, samples[count / 2], cpu / count);
    fflush(stdout);
    close(pair[0]);
    waitpid(child, NULL, 0);
    free(samples);
    return 0;
}
