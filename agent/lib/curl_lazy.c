// SPDX-License-Identifier: GPL-2.0
/*
 * libcurl, loaded when first used. Only the sign-in and the portal's
 * URLs need it; linked at build time, it made every fzagent run load 25
 * libraries of its own (Kerberos, LDAP, SSH, RTMP, GnuTLS and more):
 * half of fzagent's 1.6 s start-up in the test VM, and most of `fzagent
 * up`'s time with few peers. These are the libcurl functions the agent
 * calls, with curl.h's prototypes, each forwarding to libcurl.so.4's
 * own. fzagent is not linked with -rdynamic, so libcurl's calls to its
 * own functions stay inside it.
 *
 * Should the library not load, the reason is printed once and each
 * function fails as libcurl does when out of memory (NULL,
 * CURLE_FAILED_INIT, CURLUE_OUT_OF_MEMORY).
 */
#define CURL_DISABLE_TYPECHECK /* its macros would rename the definitions */
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#define FZ_CURL_SONAME "libcurl.so.4"

static struct {
	void (*easy_cleanup)(CURL *);
	char *(*easy_escape)(CURL *, const char *, int);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	CURL *(*easy_init)(void);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	const char *(*easy_strerror)(CURLcode);
	char *(*easy_unescape)(CURL *, const char *, int, int *);
	void (*free)(void *);
	void (*global_cleanup)(void);
	CURLcode (*global_init)(long);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	CURLU *(*url)(void);
	void (*url_cleanup)(CURLU *);
	CURLUcode (*url_get)(CURLU *, CURLUPart, char **, unsigned int);
	CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
} fn;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static bool loaded;

static bool sym(void *lib, void *slot, const char *name)
{
	void *p = dlsym(lib, name);

	if (!p) {
		fprintf(stderr, "fzagent: %s has no %s: %s\n", FZ_CURL_SONAME,
			name, dlerror());
		return false;
	}
	/* POSIX: a dlsym() result converts to the function's pointer. */
	*(void **)slot = p;
	return true;
}

#define SYM(field) sym(lib, &fn.field, "curl_" #field)

static void load(void)
{
	void *lib = dlopen(FZ_CURL_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!lib) {
		fprintf(stderr,
			"fzagent: cannot load %s (apt-get install "
			"libcurl4): %s\n",
			FZ_CURL_SONAME, dlerror());
		return;
	}
	loaded = SYM(easy_cleanup) && SYM(easy_escape) && SYM(easy_getinfo) &&
		 SYM(easy_init) && SYM(easy_perform) && SYM(easy_setopt) &&
		 SYM(easy_strerror) && SYM(easy_unescape) && SYM(free) &&
		 SYM(global_cleanup) && SYM(global_init) && SYM(slist_append) &&
		 SYM(slist_free_all) && SYM(url) && SYM(url_cleanup) &&
		 SYM(url_get) && SYM(url_set);
}

static bool ready(void)
{
	pthread_once(&load_once, load);
	return loaded;
}

CURLcode curl_global_init(long flags)
{
	return ready() ? fn.global_init(flags) : CURLE_FAILED_INIT;
}

void curl_global_cleanup(void)
{
	if (ready())
		fn.global_cleanup();
}

CURL *curl_easy_init(void)
{
	return ready() ? fn.easy_init() : NULL;
}

void curl_easy_cleanup(CURL *curl)
{
	if (curl && ready())
		fn.easy_cleanup(curl);
}

/*
 * The option's number says its argument's type, as in libcurl's own
 * curl_easy_setopt(): long, object pointer, function pointer, curl_off_t
 * or blob pointer.
 */
CURLcode curl_easy_setopt(CURL *curl, CURLoption option, ...)
{
	CURLcode ret;
	va_list ap;

	if (!ready())
		return CURLE_FAILED_INIT;
	va_start(ap, option);
	if (option < CURLOPTTYPE_OBJECTPOINT)
		ret = fn.easy_setopt(curl, option, va_arg(ap, long));
	else if (option < CURLOPTTYPE_FUNCTIONPOINT)
		ret = fn.easy_setopt(curl, option, va_arg(ap, void *));
	else if (option < CURLOPTTYPE_OFF_T)
		ret = fn.easy_setopt(curl, option, va_arg(ap, void (*)(void)));
	else if (option < CURLOPTTYPE_BLOB)
		ret = fn.easy_setopt(curl, option, va_arg(ap, curl_off_t));
	else
		ret = fn.easy_setopt(curl, option, va_arg(ap, void *));
	va_end(ap);
	return ret;
}

/* Every CURLINFO takes a pointer to where the answer goes. */
CURLcode curl_easy_getinfo(CURL *curl, CURLINFO info, ...)
{
	CURLcode ret;
	va_list ap;

	if (!ready())
		return CURLE_FAILED_INIT;
	va_start(ap, info);
	ret = fn.easy_getinfo(curl, info, va_arg(ap, void *));
	va_end(ap);
	return ret;
}

CURLcode curl_easy_perform(CURL *curl)
{
	return ready() ? fn.easy_perform(curl) : CURLE_FAILED_INIT;
}

const char *curl_easy_strerror(CURLcode code)
{
	return ready() ? fn.easy_strerror(code) :
			 FZ_CURL_SONAME " could not be loaded";
}

char *curl_easy_escape(CURL *curl, const char *string, int length)
{
	return ready() ? fn.easy_escape(curl, string, length) : NULL;
}

char *curl_easy_unescape(CURL *curl, const char *string, int length,
			 int *outlength)
{
	return ready() ? fn.easy_unescape(curl, string, length, outlength) :
			 NULL;
}

void curl_free(void *p)
{
	if (p && ready())
		fn.free(p);
}

struct curl_slist *curl_slist_append(struct curl_slist *list, const char *data)
{
	return ready() ? fn.slist_append(list, data) : NULL;
}

void curl_slist_free_all(struct curl_slist *list)
{
	if (list && ready())
		fn.slist_free_all(list);
}

CURLU *curl_url(void)
{
	return ready() ? fn.url() : NULL;
}

void curl_url_cleanup(CURLU *handle)
{
	if (handle && ready())
		fn.url_cleanup(handle);
}

CURLUcode curl_url_get(CURLU *handle, CURLUPart what, char **part,
		       unsigned int flags)
{
	return ready() ? fn.url_get(handle, what, part, flags) :
			 CURLUE_OUT_OF_MEMORY;
}

CURLUcode curl_url_set(CURLU *handle, CURLUPart what, const char *part,
		       unsigned int flags)
{
	return ready() ? fn.url_set(handle, what, part, flags) :
			 CURLUE_OUT_OF_MEMORY;
}
