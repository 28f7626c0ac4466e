// Preloaded (LD_PRELOAD) into the test processes under ThreadSanitizer by
// scripts/sanitizers.sh: tells TSan about the hand-over of a contended
// Synchronization.Mutex, which it cannot see by itself on Linux.
//
// Why: Mutex's fast paths (a compare-exchange on its lock word) are inlined into
// barkd's code and instrumented, but when the lock is contended the toolchain's
// prebuilt, uninstrumented libswiftSynchronization.so takes over (_lockSlow,
// _unlockSlow: FUTEX_LOCK_PI / FUTEX_UNLOCK_PI), and the kernel hands the lock to the
// waiter. TSan sees no release/acquire pair and reports every access made under the
// lock as a race ("Swift access race" inside a withLock closure). Four threads
// appending to one Mutex<[Int]> reproduce it (Swift 6.3.1, see README "Sanitizers").
//
// This wraps the three slow paths: acquire on the lock word after a slow lock (or a
// successful slow try-lock), release on it before a slow unlock, the same address the
// instrumented fast paths synchronize on. So TSan sees exactly the synchronization
// the mutex performs, no more: a race on data that is not under the lock is still
// reported. Outside a TSan process __tsan_acquire is absent and the wrappers only
// forward.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>

#define SWIFTCALL __attribute__((swiftcall))
// swift_context is clang's name for the swiftself register (r13 on x86-64): a method's self.
#define SELF __attribute__((swift_context))

typedef SWIFTCALL void lock_slow_fn(uint32_t self_id, SELF void *handle);
typedef SWIFTCALL void unlock_slow_fn(SELF void *handle);
typedef SWIFTCALL bool try_lock_slow_fn(SELF void *handle);
typedef void tsan_sync_fn(void *address);

#define LOCK_SLOW "$s15Synchronization12_MutexHandleV9_lockSlowyys6UInt32VF"
#define UNLOCK_SLOW "$s15Synchronization12_MutexHandleV11_unlockSlowyyF"
#define TRY_LOCK_SLOW "$s15Synchronization12_MutexHandleV12_tryLockSlowSbyF"

static void *next(const char *name) {
    return dlsym(RTLD_NEXT, name);
}

static void tsan(const char *name, void *address) {
    tsan_sync_fn *function = (tsan_sync_fn *)dlsym(RTLD_DEFAULT, name);
    if (function) function(address);
}

SWIFTCALL void lock_slow(uint32_t self_id, SELF void *handle) __asm__(LOCK_SLOW);
SWIFTCALL void lock_slow(uint32_t self_id, SELF void *handle) {
    ((lock_slow_fn *)next(LOCK_SLOW))(self_id, handle);
    tsan("__tsan_acquire", handle);
}

SWIFTCALL void unlock_slow(SELF void *handle) __asm__(UNLOCK_SLOW);
SWIFTCALL void unlock_slow(SELF void *handle) {
    tsan("__tsan_release", handle);
    ((unlock_slow_fn *)next(UNLOCK_SLOW))(handle);
}

SWIFTCALL bool try_lock_slow(SELF void *handle) __asm__(TRY_LOCK_SLOW);
SWIFTCALL bool try_lock_slow(SELF void *handle) {
    bool locked = ((try_lock_slow_fn *)next(TRY_LOCK_SLOW))(handle);
    if (locked) tsan("__tsan_acquire", handle);
    return locked;
}
