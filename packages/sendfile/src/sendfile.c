/*
 * Sends a span of a file to a connected TCP socket with sendfile(2): the kernel moves the
 * page-cache pages to the socket, so no byte passes through JavaScript or a user-space
 * buffer. Node offers no such call for sockets.
 *
 * One transfer is a small state machine on the libuv loop. Whenever the socket has room
 * (a uv_poll on a dup of the socket says so), the next slice goes out:
 *   - on the loop thread itself when the page cache holds every byte of the slice
 *     (cachestat(2), or mincore(2) on kernels before 6.5): sendfile then only copies
 *     memory, and the round trip through a pool thread would cost more (measured: ~8%
 *     of a loopback download's speed);
 *   - otherwise in a threadpool job, so that reading the disk blocks a pool thread and
 *     never the event loop.
 * Either way a slice ends when the socket's buffer is full or SLICE bytes went out, so
 * neither thread is held long. An idle timer runs while waiting for room: a reader that
 * takes nothing for `idleMs` ends the transfer with ETIMEDOUT.
 * The socket is used through its own dup, so JavaScript closing the original socket
 * while a job runs can never make sendfile write into a reused descriptor.
 * cancel() (a client that went away, a server closing) ends the transfer at the next
 * step. The callback always runs exactly once, from a job's completion (the callback
 * scope JavaScript needs), with (errorCode, bytesSent): errorCode 0 when the whole span
 * went out.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <uv.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#endif

/* Bytes one step may send: about a loopback socket's whole buffer (tcp_wmem's maximum). */
#define SLICE (4 * 1024 * 1024)
/* What one sendfile call is asked for, as nginx's sendfile_max_chunk. */
#define SENDFILE_MAX (2 * 1024 * 1024)

#define CHECK(env, call)                                  \
  do {                                                    \
    if ((call) != napi_ok) {                              \
      napi_throw_error((env), NULL, "sendfile: " #call);  \
      return NULL;                                        \
    }                                                     \
  } while (0)

#ifdef __linux__

typedef struct transfer {
  napi_env env;
  napi_ref callback;
  napi_async_work work;
  uv_poll_t poll;
  uv_timer_t timer;
  int sock;       /* our dup of the socket */
  int file;       /* borrowed: JavaScript keeps the file open until the callback */
  int64_t offset; /* next byte of the file to send */
  int64_t remaining;
  int64_t sent;
  uint64_t idle_ms;
  int error;      /* errno: set by the job, or while no job runs (timeout, poll error) */
  int cancelled;  /* set by cancel() on the loop thread, read by the job: atomic */
  int waiting;    /* the poll and timer are running */
  int finished;   /* the callback has run */
  int refs;       /* owners: the transfer itself, the JavaScript handle */
  int handles_open;
} transfer;

static void release(transfer* t) {
  if (--t->refs == 0) free(t);
}

/* Sends up to SLICE bytes, stopping early when the socket's buffer is full. Runs on a
   pool thread or the loop thread: no JavaScript, only the descriptors and plain fields. */
static void send_slice(transfer* t) {
  int64_t budget = SLICE;
  if (t->error != 0) return; /* timed out or failed while waiting: only report */
  while (t->remaining > 0 && budget > 0 && !__atomic_load_n(&t->cancelled, __ATOMIC_RELAXED)) {
    int64_t want = t->remaining < SENDFILE_MAX ? t->remaining : SENDFILE_MAX;
    off_t off = (off_t)t->offset;
    ssize_t n = sendfile(t->sock, t->file, &off, (size_t)want);
    if (n > 0) {
      t->offset += n;
      t->remaining -= n;
      t->sent += n;
      budget -= n;
    } else if (n == 0) {
      t->error = EIO; /* the file is shorter than the span: it changed under us */
      return;
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return; /* the socket is full: wait for room */
    } else {
      t->error = errno;
      return;
    }
  }
}

static void job_execute(napi_env env, void* data) {
  (void)env;
  send_slice((transfer*)data);
}

#ifndef __NR_cachestat
#define __NR_cachestat 451 /* the same number on every architecture (Linux 6.5) */
#endif
struct cachestat_range {
  uint64_t off;
  uint64_t len;
};
struct cachestat_result {
  uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
};
static int have_cachestat = 1;

/* Whether every page of [off, off + len) is in the page cache, so that sendfile will not
   wait for the disk. When unsure, no: the slice then goes to a pool thread. */
static int in_page_cache(int fd, int64_t off, int64_t len) {
  static long page = 0;
  if (page == 0) page = sysconf(_SC_PAGESIZE);
  int64_t first = off / page, end = (off + len + page - 1) / page;
  uint64_t pages = (uint64_t)(end - first);
  if (have_cachestat) {
    struct cachestat_range range = {(uint64_t)(first * page), pages * (uint64_t)page};
    struct cachestat_result cs;
    if (syscall(__NR_cachestat, fd, &range, &cs, 0) == 0) return cs.nr_cache >= pages;
    if (errno != ENOSYS) return 0;
    have_cachestat = 0;
  }
  /* Mapping a file range touches none of it; mincore then reports what is cached. */
  void* map = mmap(NULL, (size_t)(pages * page), PROT_READ, MAP_SHARED, fd, (off_t)(first * page));
  if (map == MAP_FAILED) return 0;
  unsigned char vec[SLICE / 4096 + 2];
  int all = pages <= sizeof vec && mincore(map, (size_t)(pages * page), vec) == 0;
  for (uint64_t i = 0; all && i < pages; i++) all = vec[i] & 1;
  munmap(map, (size_t)(pages * page));
  return all;
}

static void on_handle_closed(uv_handle_t* handle) {
  transfer* t = (transfer*)handle->data;
  if (--t->handles_open == 0) {
    close(t->sock);
    release(t);
  }
}

/* Corked, the kernel sends only full segments (a sendfile call may end mid-segment),
   which is what nginx's tcp_nopush does; uncorking pushes out the tail. Not TCP: no-op. */
static void set_cork(int sock, int on) {
  setsockopt(sock, IPPROTO_TCP, TCP_CORK, &on, sizeof on);
}

static void finish(transfer* t) {
  napi_env env = t->env;
  napi_value cb, global, argv[2];
  napi_handle_scope scope;
  t->finished = 1;
  set_cork(t->sock, 0);
  if (t->work != NULL) {
    napi_delete_async_work(env, t->work);
    t->work = NULL;
  }
  if (t->waiting) {
    uv_poll_stop(&t->poll);
    uv_timer_stop(&t->timer);
    t->waiting = 0;
  }
  uv_close((uv_handle_t*)&t->poll, on_handle_closed);
  uv_close((uv_handle_t*)&t->timer, on_handle_closed);
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  if (napi_get_reference_value(env, t->callback, &cb) == napi_ok && napi_get_global(env, &global) == napi_ok &&
      napi_create_int32(env, t->error, &argv[0]) == napi_ok && napi_create_int64(env, t->sent, &argv[1]) == napi_ok) {
    napi_call_function(env, global, cb, 2, argv, NULL);
  }
  napi_delete_reference(env, t->callback);
  napi_close_handle_scope(env, scope);
}

static void job_complete(napi_env env, napi_status status, void* data);

/* The one async work of this transfer, queued again for every step: queueing creates no
   JavaScript values, so it may happen from a libuv callback that has no handle scope. */
static void queue_job(transfer* t) {
  if (napi_queue_async_work(t->env, t->work) != napi_ok) {
    t->error = ENOMEM;
    finish(t);
  }
}

static void on_writable(uv_poll_t* poll, int status, int events);

static void on_idle_timeout(uv_timer_t* timer) {
  transfer* t = (transfer*)timer->data;
  uv_poll_stop(&t->poll);
  t->waiting = 0;
  t->error = ETIMEDOUT;
  queue_job(t); /* the job sees the error and only reports it */
}

/* Until the socket has room (at once if it already has), or the idle time is up. */
static void wait_for_room(transfer* t) {
  t->waiting = 1;
  uv_poll_start(&t->poll, UV_WRITABLE | UV_DISCONNECT, on_writable);
  uv_timer_start(&t->timer, on_idle_timeout, t->idle_ms, 0);
}

static int done(transfer* t) {
  return t->error != 0 || t->remaining == 0 || __atomic_load_n(&t->cancelled, __ATOMIC_RELAXED);
}

static void on_writable(uv_poll_t* poll, int status, int events) {
  transfer* t = (transfer*)poll->data;
  (void)events;
  uv_poll_stop(&t->poll);
  uv_timer_stop(&t->timer);
  t->waiting = 0;
  if (status < 0) t->error = EPIPE;
  if (!done(t)) {
    int64_t next = t->remaining < SLICE ? t->remaining : SLICE;
    if (!in_page_cache(t->file, t->offset, next)) {
      queue_job(t);
      return;
    }
    send_slice(t);
    if (!done(t)) {
      wait_for_room(t);
      return;
    }
  }
  /* Done: reported through a job, whose completion gives finish() a callback scope. */
  queue_job(t);
}

static void job_complete(napi_env env, napi_status status, void* data) {
  transfer* t = (transfer*)data;
  (void)env;
  if (t->error == 0 && t->remaining > 0 && (status == napi_cancelled || __atomic_load_n(&t->cancelled, __ATOMIC_RELAXED)))
    t->error = ECANCELED;
  if (t->error != 0 || t->remaining == 0)
    finish(t);
  else
    wait_for_room(t);
}

static void handle_finalize(napi_env env, void* data, void* hint) {
  (void)env;
  (void)hint;
  release((transfer*)data);
}

/* start(socketFd, fileFd, offset, length, idleMs, callback) -> handle */
static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6], handle;
  int32_t sock_fd, file_fd;
  int64_t offset, length, idle_ms;
  uv_loop_t* loop;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6) {
    napi_throw_type_error(env, NULL, "sendfile.start(socketFd, fileFd, offset, length, idleMs, callback)");
    return NULL;
  }
  CHECK(env, napi_get_value_int32(env, argv[0], &sock_fd));
  CHECK(env, napi_get_value_int32(env, argv[1], &file_fd));
  CHECK(env, napi_get_value_int64(env, argv[2], &offset));
  CHECK(env, napi_get_value_int64(env, argv[3], &length));
  CHECK(env, napi_get_value_int64(env, argv[4], &idle_ms));
  if (sock_fd < 0 || file_fd < 0 || offset < 0 || length < 0 || idle_ms <= 0) {
    napi_throw_range_error(env, NULL, "sendfile.start: descriptors, offset and length must not be negative, idleMs must be positive");
    return NULL;
  }
  CHECK(env, napi_get_uv_event_loop(env, &loop));

  transfer* t = (transfer*)calloc(1, sizeof(transfer));
  if (t == NULL) {
    napi_throw_error(env, "ENOMEM", "sendfile.start: out of memory");
    return NULL;
  }
  t->env = env;
  t->file = file_fd;
  t->offset = offset;
  t->remaining = length;
  t->idle_ms = (uint64_t)idle_ms;
  t->refs = 1; /* the JavaScript handle, whose finalizer releases it */
  napi_value name;
  if (napi_create_reference(env, argv[5], 1, &t->callback) != napi_ok) {
    free(t);
    napi_throw_error(env, NULL, "sendfile.start: cannot keep the callback");
    return NULL;
  }
  if (napi_create_string_utf8(env, "sendbay:sendfile", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, job_execute, job_complete, t, &t->work) != napi_ok) {
    napi_delete_reference(env, t->callback);
    free(t);
    napi_throw_error(env, NULL, "sendfile.start: cannot create the job");
    return NULL;
  }
  if (napi_create_external(env, t, handle_finalize, NULL, &handle) != napi_ok) {
    napi_delete_async_work(env, t->work);
    napi_delete_reference(env, t->callback);
    free(t);
    napi_throw_error(env, NULL, "sendfile.start: cannot create the handle");
    return NULL;
  }
  /* From here the handle owns `t`: a failure below leaves it to the finalizer. */
  const char* failure = NULL;
  t->sock = dup(sock_fd);
  if (t->sock < 0) {
    failure = "sendfile.start: cannot duplicate the socket";
  } else if (uv_poll_init(loop, &t->poll, t->sock) != 0) {
    close(t->sock);
    failure = "sendfile.start: cannot watch the socket";
  }
  if (failure != NULL) {
    napi_delete_async_work(env, t->work);
    napi_delete_reference(env, t->callback);
    t->finished = 1;
    napi_throw_error(env, NULL, failure);
    return NULL;
  }
  uv_timer_init(loop, &t->timer);
  set_cork(t->sock, 1);
  t->poll.data = t;
  t->timer.data = t;
  t->handles_open = 2;
  t->refs = 2; /* and the transfer itself, until its handles have closed */
  wait_for_room(t);
  return handle;
}

/* cancel(handle): ends the transfer at its next step (a running job stops between two
   sendfile calls); the callback reports ECANCELED unless every byte had gone out. */
static napi_value cancel(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void* data;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_get_value_external(env, argv[0], &data) != napi_ok) {
    napi_throw_type_error(env, NULL, "sendfile.cancel(handle)");
    return NULL;
  }
  transfer* t = (transfer*)data;
  if (t->finished) return NULL;
  __atomic_store_n(&t->cancelled, 1, __ATOMIC_RELAXED);
  if (t->waiting) {
    uv_poll_stop(&t->poll);
    uv_timer_stop(&t->timer);
    t->waiting = 0;
    queue_job(t); /* the job sees the flag and sends nothing; completion reports it */
  }
  return NULL;
}

#endif /* __linux__ */

static napi_value init(napi_env env, napi_value exports) {
#ifdef __linux__
  napi_value fn;
  CHECK(env, napi_create_function(env, "start", NAPI_AUTO_LENGTH, start, NULL, &fn));
  CHECK(env, napi_set_named_property(env, exports, "start", fn));
  CHECK(env, napi_create_function(env, "cancel", NAPI_AUTO_LENGTH, cancel, NULL, &fn));
  CHECK(env, napi_set_named_property(env, exports, "cancel", fn));
#endif
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
