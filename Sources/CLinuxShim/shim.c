#define _GNU_SOURCE
#include <malloc.h>
#include <sched.h>
#include "CLinuxShim.h"
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <time.h>
#include <errno.h>
#include <string.h>
#include <pthread.h>

const uint32_t BARKD_EPOLLIN = EPOLLIN;
const uint32_t BARKD_EPOLLOUT = EPOLLOUT;
const uint32_t BARKD_EPOLLERR = EPOLLERR;
const uint32_t BARKD_EPOLLHUP = EPOLLHUP;
const uint32_t BARKD_EPOLLRDHUP = EPOLLRDHUP;
const uint32_t BARKD_EPOLLET = EPOLLET;
const uint32_t BARKD_EPOLLEXCLUSIVE = EPOLLEXCLUSIVE;
const int BARKD_EPOLL_CTL_ADD = EPOLL_CTL_ADD;
const int BARKD_EPOLL_CTL_MOD = EPOLL_CTL_MOD;
const int BARKD_EPOLL_CTL_DEL = EPOLL_CTL_DEL;

_Static_assert(sizeof(barkd_epoll_event) == sizeof(struct epoll_event), "epoll_event layout");

int barkd_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int barkd_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &ev);
}

int barkd_epoll_wait(int epfd, barkd_epoll_event *events, int maxevents, int timeout_ms) {
    return epoll_wait(epfd, (struct epoll_event *)events, maxevents, timeout_ms);
}

int barkd_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

int barkd_eventfd_blocking(void) { return eventfd(0, EFD_CLOEXEC); }

int barkd_eventfd_write(int fd) {
    uint64_t one = 1;
    return (int)write(fd, &one, sizeof one);
}

int barkd_eventfd_drain(int fd) {
    uint64_t value;
    return (int)read(fd, &value, sizeof value);
}

int barkd_timerfd_create(void) { return timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC); }

int barkd_timerfd_arm(int fd, uint64_t deadline_ns) {
    struct itimerspec spec;
    memset(&spec, 0, sizeof spec);
    spec.it_value.tv_sec = (time_t)(deadline_ns / 1000000000ull);
    spec.it_value.tv_nsec = (long)(deadline_ns % 1000000000ull);
    return timerfd_settime(fd, TFD_TIMER_ABSTIME, &spec, NULL);
}

int barkd_timerfd_drain(int fd) {
    uint64_t expirations;
    return (int)read(fd, &expirations, sizeof expirations);
}

int barkd_accept4(int fd, struct sockaddr *addr, socklen_t *len) {
    return accept4(fd, addr, len, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

ssize_t barkd_send(int fd, const void *buf, size_t len) { return send(fd, buf, len, MSG_NOSIGNAL); }

ssize_t barkd_writev(int fd, const struct iovec *iov, int iovcnt) {
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = (struct iovec *)iov;
    msg.msg_iovlen = (size_t)iovcnt;
    return sendmsg(fd, &msg, MSG_NOSIGNAL);
}

int barkd_block_signals_signalfd(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) return -1;
    return signalfd(-1, &set, SFD_CLOEXEC);
}

int barkd_signalfd_read(int fd) {
    struct signalfd_siginfo info;
    for (;;) {
        ssize_t n = read(fd, &info, sizeof info);
        if (n == (ssize_t)sizeof info) return (int)info.ssi_signo;
        if (n < 0 && errno == EINTR) continue;
        return -1;
    }
}

void barkd_ignore_sigpipe(void) { signal(SIGPIPE, SIG_IGN); }

int barkd_map_allocations_from(int bytes) { return mallopt(M_MMAP_THRESHOLD, bytes); }

int barkd_affinity_cpu_count(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) == 0) return CPU_COUNT(&set);
    return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

const int BARKD_SOCK_STREAM = SOCK_STREAM;
const int BARKD_SOCK_NONBLOCK = SOCK_NONBLOCK;
const int BARKD_SOCK_CLOEXEC = SOCK_CLOEXEC;
int barkd_set_thread_name(const char *name) { return pthread_setname_np(pthread_self(), name); }

int barkd_gettid(void) { return (int)gettid(); }

uint64_t barkd_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int64_t barkd_realtime_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    return (int64_t)ts.tv_sec;
}

static _Thread_local void *current_loop;
void *barkd_current_loop(void) { return current_loop; }
void barkd_set_current_loop(void *loop) { current_loop = loop; }
