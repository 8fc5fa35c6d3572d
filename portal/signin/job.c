// SPDX-License-Identifier: GPL-2.0
/*
 * Blocking work (a provider's HTTP, a mail server's SMTP) on libuv's
 * thread pool. run() sees only the job's own copies, never the flows or
 * the store; done() runs back on the loop and may use both. A job that
 * answers a page holds a deferred answer (web wing), which the web wing
 * keeps valid even when the browser has gone meanwhile.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "job.h"

static void job_work(uv_work_t *w)
{
	struct signin_job *job = w->data;

	job->run(job);
}

static void job_after(uv_work_t *w, int status)
{
	struct signin_job *job = w->data;
	struct signin *si = job->si;
	struct web_page_response resp = { 0 };

	si->jobs--;
	if (status == UV_ECANCELED)
		job->cancelled = true;
	if (job->pending) {
		if (job->done(job, &resp))
			signin_page_error(&resp, 500, "Sign-in failed",
					  "The portal ran out of memory.");
		web_page_finish(job->pending, &resp);
	} else {
		job->done(job, NULL);
	}
	job->free(job);
}

int signin_job_start(struct signin *si, struct signin_job *job,
		     const struct web_page_request *req)
{
	if (si->closing || si->jobs >= SIGNIN_JOBS_MAX)
		return -EBUSY;
	job->si = si;
	job->work.data = job;
	if (req) {
		job->pending = web_page_defer(req);
		if (!job->pending)
			return -EBUSY;
	}
	if (uv_queue_work(si->cfg.loop, &job->work, job_work, job_after)) {
		/* Only with a NULL callback, so never; done() still runs once. */
		job->cancelled = true;
		if (job->pending) {
			struct web_page_response resp = { 0 };

			signin_page_error(&resp, 503, "Busy",
					  "Try again in a moment.");
			web_page_finish(job->pending, &resp);
		}
		job->done(job, NULL);
		job->free(job);
		return req ? WEB_PAGE_DEFERRED : 0;
	}
	si->jobs++;
	return req ? WEB_PAGE_DEFERRED : 0;
}
