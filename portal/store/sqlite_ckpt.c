// SPDX-License-Identifier: GPL-2.0
/*
 * WAL checkpoints off the serving thread. By default SQLite checkpoints
 * in whichever commit pushes the WAL past 1000 pages, and a checkpoint
 * ends in an fsync of the database file: the server's one thread then
 * stalls for the disk (7 to 13 ms here, every ~100 authorizations), and
 * every request queued behind it waits too. Here the server's own
 * connection never checkpoints; a thread with a connection of its own
 * does, every period, PASSIVE (it never blocks a writer or a reader and
 * is never blocked by them). What a power loss can take is then bounded
 * by time (about one period of commits) rather than by WAL pages.
 *
 * The thread touches nothing of the store but the file: its connection
 * is its own, and the only shared state is the stop flag under the lock.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "sqlite.h"

struct store_sqlite_ckpt {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* on CLOCK_MONOTONIC */
	sqlite3 *db;
	unsigned int period_ms;
	bool stop;
};

static void deadline(struct timespec *ts, unsigned int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

static void *run(void *arg)
{
	struct store_sqlite_ckpt *c = arg;
	struct timespec ts;

	pthread_mutex_lock(&c->lock);
	while (!c->stop) {
		deadline(&ts, c->period_ms);
		while (!c->stop &&
		       pthread_cond_timedwait(&c->cond, &c->lock, &ts) == 0)
			;
		if (c->stop)
			break;
		pthread_mutex_unlock(&c->lock);
		/* Busy (another checkpointer) or failed: the next period. */
		sqlite3_wal_checkpoint_v2(
			c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

static int open_own(struct store_sqlite *q, struct store_sqlite_ckpt *c,
		    struct store_err *err)
{
	const char *path = sqlite3_db_filename(q->db, "main");

	if (!path || !*path)
		return store_fail(err, STORE_IO, "no database file");
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK)
		return store_fail(err, STORE_IO, "%s: cannot open: %s", path,
				  c->db ? sqlite3_errmsg(c->db) : "no memory");
	/*
	 * A connection reads the file only at its first statement, and a
	 * checkpoint on one that has not is a silent no-op.
	 */
	if (sqlite3_exec(c->db, "PRAGMA journal_mode = WAL", NULL, NULL,
			 NULL) != SQLITE_OK)
		return store_fail(err, STORE_IO, "%s: %s", path,
				  sqlite3_errmsg(c->db));
	return 0;
}

static int start(struct store_sqlite_ckpt *c)
{
	pthread_condattr_t attr;
	int ret;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cond, &attr);
	pthread_condattr_destroy(&attr);
	pthread_mutex_init(&c->lock, NULL);
	ret = pthread_create(&c->thread, NULL, run, c);
	if (ret) {
		pthread_cond_destroy(&c->cond);
		pthread_mutex_destroy(&c->lock);
	}
	return ret;
}

int store_sqlite_checkpoint_in_background(struct store *s,
					  unsigned int period_ms,
					  struct store_err *err)
{
	struct store_sqlite *q = store_sqlite_of(s);
	struct store_sqlite_ckpt *c;
	int ret;

	if (q->ckpt)
		return 0;
	c = calloc(1, sizeof(*c));
	if (!c)
		return store_fail(err, STORE_IO, "out of memory");
	c->period_ms = period_ms ? period_ms : 1000;
	ret = open_own(q, c, err);
	if (!ret && start(c))
		ret = store_fail(err, STORE_IO, "cannot start a thread");
	if (ret) {
		sqlite3_close(c->db);
		free(c);
		return ret;
	}
	/* Only now: should the thread not start, commits still checkpoint. */
	sqlite3_wal_autocheckpoint(q->db, 0);
	q->ckpt = c;
	return 0;
}

void store_sqlite_checkpoint_stop(struct store_sqlite *q)
{
	struct store_sqlite_ckpt *c = q->ckpt;

	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->stop = true;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	sqlite3_close(c->db);
	free(c);
	q->ckpt = NULL;
}
