/* SPDX-License-Identifier: GPL-2.0 */
/* Jobs on the thread pool: see job.c. */
#ifndef FZ_PORTAL_SIGNIN_JOB_H
#define FZ_PORTAL_SIGNIN_JOB_H

#include "priv.h"

struct signin_job {
	uv_work_t work;
	struct signin *si;
	struct web_pending *pending; /* NULL: no page waits for it */
	bool cancelled;
	void (*run)(struct signin_job *job); /* on a pool thread */
	/* On the loop; resp NULL when no page waits. 0 or -ENOMEM. */
	int (*done)(struct signin_job *job, struct web_page_response *resp);
	void (*free)(struct signin_job *job); /* wipes what it held */
};

/*
 * Queue job; with req, its page is deferred and WEB_PAGE_DEFERRED is
 * returned (the caller returns it from signin_page); job belongs to the
 * wing from then on, and done() runs exactly once (cancelled set when it
 * never ran). -EBUSY when too many jobs are in flight: done() will not
 * run, the caller still owns job and answers the page itself.
 */
int signin_job_start(struct signin *si, struct signin_job *job,
		     const struct web_page_request *req);

#endif /* FZ_PORTAL_SIGNIN_JOB_H */
