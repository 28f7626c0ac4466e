#ifndef BARKD_CLINUXSHIM_H
#define BARKD_CLINUXSHIM_H

// Linux APIs that Glibc's Swift module does not expose: epoll, eventfd, timerfd,
// signalfd, accept4 and gettid, plus a thread-local "current event loop" slot.

#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <signal.h>

typedef struct barkd_epoll_event {
    uint32_t events;
    uint64_t data;
} __attribute__((packed)) barkd_epoll_event;

extern const uint32_t BARKD_EPOLLIN;
extern const uint32_t BARKD_EPOLLOUT;
extern const uint32_t BARKD_EPOLLERR;
extern const uint32_t BARKD_EPOLLHUP;
extern const uint32_t BARKD_EPOLLRDHUP;
extern const uint32_t BARKD_EPOLLET;
extern const uint32_t BARKD_EPOLLEXCLUSIVE;

int barkd_epoll_create(void);
int barkd_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data);
int barkd_epoll_wait(int epfd, barkd_epoll_event *events, int maxevents, int timeout_ms);
extern const int BARKD_EPOLL_CTL_ADD;
extern const int BARKD_EPOLL_CTL_MOD;
extern const int BARKD_EPOLL_CTL_DEL;

int barkd_eventfd(void);
/// A blocking eventfd, used as a semaphore by helper threads (never by loops).
int barkd_eventfd_blocking(void);
int barkd_eventfd_write(int fd);
int barkd_eventfd_drain(int fd);

int barkd_timerfd_create(void);
/// Arms the timer at an absolute CLOCK_MONOTONIC time in nanoseconds (0 disarms).
int barkd_timerfd_arm(int fd, uint64_t deadline_ns);
int barkd_timerfd_drain(int fd);

int barkd_accept4(int fd, struct sockaddr *addr, socklen_t *len);
ssize_t barkd_send(int fd, const void *buf, size_t len);
ssize_t barkd_writev(int fd, const struct iovec *iov, int iovcnt);

/// Blocks SIGINT, SIGTERM (and SIGHUP) in the calling thread and returns a signalfd for them.
/// Called first thing in main, so every thread started later inherits the mask.
int barkd_block_signals_signalfd(void);
/// Reads one signal number from a blocking signalfd (-1 on error).
int barkd_signalfd_read(int fd);
void barkd_ignore_sigpipe(void);

// Has malloc map blocks of at least `bytes` with mmap and unmap them on free (a fixed
// M_MMAP_THRESHOLD, which also ends glibc's adaptive raising of it). Returns mallopt's result.
int barkd_map_allocations_from(int bytes);

// The CPUs this process may run on (sched_getaffinity); the online count if that fails.
int barkd_affinity_cpu_count(void);

extern const int BARKD_SOCK_STREAM;
extern const int BARKD_SOCK_NONBLOCK;
extern const int BARKD_SOCK_CLOEXEC;
int barkd_set_thread_name(const char *name);

int barkd_gettid(void);
uint64_t barkd_monotonic_ns(void);
int64_t barkd_realtime_seconds(void);

void *barkd_current_loop(void);
void barkd_set_current_loop(void *loop);

#endif
