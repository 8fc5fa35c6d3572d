// SPDX-License-Identifier: GPL-2.0
/*
 * System DNS control: the modes, and resolv-conf. Every file is written
 * beside its final name, fsync'd and renamed into place, so a crash
 * leaves the old or the new one, never half of one. /etc/resolv.conf
 * may be a bind mount (containers do that), where rename() fails with
 * EBUSY (or /etc is read-only): then it is rewritten in place, the only
 * thing possible there; the state file, written and fsync'd before,
 * still holds the original should that be cut short.
 *
 * The state file is one header line, then the original's bytes:
 *   "fz-resolv-conf 1 file 0644 owner=0:0 label=HEX\n" BYTES
 *   "fz-resolv-conf 1 symlink\n" TARGET
 *   "fz-resolv-conf 1 absent\n"
 * owner= and label= (the security.selinux attribute in hex, absent when
 * the file has none) may be missing: a state file of an older agent.
 * A file put back gets its owner and label back; so does the one the
 * agent writes in its place, so that confined resolvers may read it.
 */
#define _GNU_SOURCE /* mkostemp */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <sodium.h>

#include "lib/files.h"
#include "sysdns.h"

#define STATE_MAGIC "fz-resolv-conf 1 "
#define LABEL_XATTR "security.selinux"

/* What a file's replacement keeps of it besides its mode. */
struct file_attrs {
	bool has_owner;
	uid_t uid;
	gid_t gid;
	uint8_t label[256];
	size_t label_len; /* 0: no label */
};

static const char *const mode_names[] = {
	[CLIENT_SYSDNS_NONE] = "none",
	[CLIENT_SYSDNS_RESOLV_CONF] = "resolv-conf",
	[CLIENT_SYSDNS_RESOLVED] = "systemd-resolved",
};

int client_sysdns_mode_parse(const char *text, enum client_sysdns_mode *out)
{
	for (size_t i = 0; i < sizeof(mode_names) / sizeof(*mode_names); i++) {
		if (!strcmp(text, mode_names[i])) {
			*out = (enum client_sysdns_mode)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *client_sysdns_mode_name(enum client_sysdns_mode mode)
{
	return mode <= CLIENT_SYSDNS_RESOLVED ? mode_names[mode] : "?";
}

static const char *resolv_path(const struct client_sysdns_config *cfg)
{
	return cfg->resolv_conf ? cfg->resolv_conf :
				  CLIENT_SYSDNS_RESOLV_CONF_PATH;
}

static const char *state_path(const struct client_sysdns_config *cfg)
{
	return cfg->state_file ? cfg->state_file : CLIENT_SYSDNS_STATE_PATH;
}

/* --- Files --- */

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The directory holding path, fsync'd: a rename there is then durable. */
static int sync_dir(const char *path)
{
	char buf[PATH_MAX];
	int fd, ret = 0;

	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);
	fd = open(dirname(buf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* "PATH.fz-XXXXXX", a fresh file beside path: its fd, or -errno. */
static int temp_beside(const char *path, char tmp[PATH_MAX])
{
	int fd;

	if (snprintf(tmp, PATH_MAX, "%s.fz-XXXXXX", path) >= PATH_MAX)
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Owner and label set on fd, as far as the system lets: the content
 * matters most, and a resolv.conf without its owner or label beats
 * none (or ours) left behind. chown comes before the mode (it may clear
 * set-id bits). */
static void apply_attrs(int fd, const struct file_attrs *a)
{
	int ignored = 0;

	if (!a)
		return;
	if (a->has_owner)
		ignored |= fchown(fd, a->uid, a->gid);
	if (a->label_len)
		ignored |=
			fsetxattr(fd, LABEL_XATTR, a->label, a->label_len, 0);
	(void)ignored;
}

/* path's owner (st) and label into a. */
static void read_attrs(const char *path, const struct stat *st,
		       struct file_attrs *a)
{
	ssize_t n;

	memset(a, 0, sizeof(*a));
	a->has_owner = true;
	a->uid = st->st_uid;
	a->gid = st->st_gid;
	n = lgetxattr(path, LABEL_XATTR, a->label, sizeof(a->label));
	a->label_len = n > 0 ? (size_t)n : 0;
}

static int write_fd(int fd, const void *head, size_t headlen, const void *body,
		    size_t bodylen, mode_t mode, const struct file_attrs *attrs)
{
	int ret = write_all(fd, head, headlen);

	if (!ret)
		ret = write_all(fd, body, bodylen);
	if (!ret)
		apply_attrs(fd, attrs);
	if (!ret && fchmod(fd, mode) < 0)
		ret = -errno;
	if (!ret && fsync(fd) < 0)
		ret = -errno;
	return ret;
}

/* path rewritten where it is: for a bind-mounted file. */
static int rewrite_in_place(const char *path, const void *buf, size_t len,
			    mode_t mode)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = write_fd(fd, "", 0, buf, len, mode, NULL);
	close(fd);
	return ret;
}

/* path replaced by head + body (mode, attrs if not NULL), atomically;
 * in_place: rewritten where it is if it is a mount point (its inode, and
 * so its owner and label, stay). */
static int replace_file(const char *path, const void *head, size_t headlen,
			const void *body, size_t bodylen, mode_t mode,
			const struct file_attrs *attrs, bool in_place)
{
	char tmp[PATH_MAX];
	int fd = temp_beside(path, tmp), ret;

	/* A read-only /etc with a bind-mounted resolv.conf: no temporary
	 * file beside it, but the file itself may be written. */
	if (fd == -EROFS && in_place)
		return rewrite_in_place(path, body, bodylen, mode);
	if (fd < 0)
		return fd;
	ret = write_fd(fd, head, headlen, body, bodylen, mode, attrs);
	close(fd);
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
	if (ret)
		unlink(tmp);
	if (ret == -EBUSY && in_place)
		ret = rewrite_in_place(path, body, bodylen, mode);
	else if (!ret)
		ret = sync_dir(path);
	return ret;
}

/* path made a symlink to target, atomically. */
static int replace_with_symlink(const char *path, const char *target)
{
	char tmp[PATH_MAX];
	int fd = temp_beside(path, tmp), ret = 0;

	/* mkostemp picked a free name; the link takes it. */
	if (fd < 0)
		return fd;
	close(fd);
	unlink(tmp);
	if (symlink(target, tmp) < 0)
		return -errno;
	if (rename(tmp, path) < 0) {
		ret = -errno;
		unlink(tmp);
	}
	return ret ? ret : sync_dir(path);
}

/* --- The original, saved and restored --- */

/* " owner=UID:GID[ label=HEX]" of a into out (sized for a label). */
static void format_attrs(const struct file_attrs *a, char *out, size_t len)
{
	char hex[2 * sizeof(a->label) + 1];
	int n;

	n = snprintf(out, len, " owner=%u:%u", (unsigned int)a->uid,
		     (unsigned int)a->gid);
	if (a->label_len && n > 0 && (size_t)n < len)
		snprintf(out + n, len - (size_t)n, " label=%s",
			 sodium_bin2hex(hex, sizeof(hex), a->label,
					a->label_len));
}

/* The original saved; *attrs: a file's owner and label (else none). */
static int save_original(const struct client_sysdns_config *cfg,
			 struct file_attrs *attrs, char *err, size_t errlen)
{
	const char *path = resolv_path(cfg), *state = state_path(cfg);
	char head[64 + 2 * sizeof(attrs->label) + 64], target[PATH_MAX],
		dir[PATH_MAX], extra[sizeof(head) - 32];
	char *body = NULL;
	size_t len = 0;
	struct stat st;
	mode_t mode;
	ssize_t n;
	int ret;

	memset(attrs, 0, sizeof(*attrs));
	if (lstat(path, &st) < 0) {
		ret = -errno;
		if (ret != -ENOENT) {
			snprintf(err, errlen, "%s: %s", path, strerror(-ret));
			return ret;
		}
		snprintf(head, sizeof(head), STATE_MAGIC "absent\n");
	} else if (S_ISLNK(st.st_mode)) {
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0) {
			ret = -errno;
			snprintf(err, errlen, "%s: %s", path, strerror(-ret));
			return ret;
		}
		target[n] = '\0';
		snprintf(head, sizeof(head), STATE_MAGIC "symlink\n");
		body = strdup(target);
		len = (size_t)n;
		if (!body)
			return -ENOMEM;
	} else {
		ret = fz_read_file(path, CLIENT_SYSDNS_MAX_FILE, &body, &len,
				   &mode, NULL);
		if (ret) {
			snprintf(err, errlen, "%s: %s", path, strerror(-ret));
			return ret;
		}
		read_attrs(path, &st, attrs);
		format_attrs(attrs, extra, sizeof(extra));
		snprintf(head, sizeof(head), STATE_MAGIC "file %04o%s\n",
			 (unsigned int)(mode & 07777), extra);
	}
	/* The state's directory (/var/lib/fz) may not exist yet. */
	snprintf(dir, sizeof(dir), "%s", state);
	if (mkdir(dirname(dir), 0700) < 0 && errno != EEXIST) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(-ret));
		free(body);
		return ret;
	}
	ret = replace_file(state, head, strlen(head), body ? body : "", len,
			   0600, NULL, false);
	free(body);
	if (ret)
		snprintf(err, errlen, "cannot save %s to %s: %s", path, state,
			 strerror(-ret));
	return ret;
}

/* The optional " owner=UID:GID" and " label=HEX" of a file's header
 * line into a: 0 or -EINVAL. */
static int parse_attrs(const char *word, struct file_attrs *a)
{
	const char *owner = strstr(word, " owner="), *label;
	unsigned int uid, gid;
	size_t hexlen;
	char end;

	memset(a, 0, sizeof(*a));
	if (owner) {
		if (sscanf(owner, " owner=%u:%u%c", &uid, &gid, &end) < 2 ||
		    uid == (unsigned int)-1 || gid == (unsigned int)-1)
			return -EINVAL;
		a->has_owner = true;
		a->uid = (uid_t)uid;
		a->gid = (gid_t)gid;
	}
	label = strstr(word, " label=");
	if (label) {
		label += strlen(" label=");
		hexlen = strcspn(label, " ");
		if (sodium_hex2bin(a->label, sizeof(a->label), label, hexlen,
				   NULL, &a->label_len, NULL) ||
		    !a->label_len)
			return -EINVAL;
	}
	return 0;
}

/* The state's header into *kind ("file", "symlink", "absent"), mode and
 * attrs; the original's bytes follow at *body. 0 or -EINVAL. */
static int parse_state(char *buf, size_t len, const char **kind, mode_t *mode,
		       struct file_attrs *attrs, const char **body,
		       size_t *bodylen)
{
	char *nl = memchr(buf, '\n', len), *word;
	unsigned int m;

	memset(attrs, 0, sizeof(*attrs));
	if (!nl || strncmp(buf, STATE_MAGIC, strlen(STATE_MAGIC)))
		return -EINVAL;
	*nl = '\0';
	word = buf + strlen(STATE_MAGIC);
	*body = nl + 1;
	*bodylen = len - (size_t)(nl + 1 - buf);
	*mode = 0644;
	if (!strcmp(word, "absent") || !strcmp(word, "symlink")) {
		*kind = word;
		return 0;
	}
	if (sscanf(word, "file %o", &m) == 1 && m <= 07777 &&
	    !strncmp(word, "file ", 5) && !parse_attrs(word, attrs)) {
		*kind = "file";
		*mode = (mode_t)m;
		return 0;
	}
	return -EINVAL;
}

static int put_back(const char *path, const char *kind, mode_t mode,
		    const struct file_attrs *attrs, const char *body,
		    size_t len)
{
	char target[PATH_MAX];

	if (!strcmp(kind, "absent"))
		return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
	if (!strcmp(kind, "symlink")) {
		if (!len || len >= sizeof(target) || memchr(body, '\0', len))
			return -EINVAL;
		memcpy(target, body, len);
		target[len] = '\0';
		return replace_with_symlink(path, target);
	}
	return replace_file(path, "", 0, body, len, mode, attrs, true);
}

/* The saved original put back and the state file removed: 1, 0 when
 * there was no state file, or -errno. */
static int restore_original(const struct client_sysdns_config *cfg, char *err,
			    size_t errlen)
{
	const char *path = resolv_path(cfg), *state = state_path(cfg);
	struct file_attrs attrs;
	const char *kind, *body;
	size_t len, bodylen;
	char *buf = NULL;
	mode_t mode;
	int ret;

	ret = fz_read_file(state, CLIENT_SYSDNS_MAX_FILE + 64, &buf, &len,
			   &mode, NULL);
	if (ret == -ENOENT)
		return 0;
	if (!ret &&
	    parse_state(buf, len, &kind, &mode, &attrs, &body, &bodylen))
		ret = -EINVAL;
	if (ret) {
		snprintf(err, errlen, "%s: %s%s", state,
			 ret == -EINVAL ? "not a saved resolv.conf" :
					  strerror(-ret),
			 ret == -EINVAL ? " (remove it by hand)" : "");
		free(buf);
		return ret;
	}
	ret = put_back(path, kind, mode, &attrs, body, bodylen);
	free(buf);
	if (ret) {
		snprintf(err, errlen, "cannot restore %s from %s: %s", path,
			 state, strerror(-ret));
		return ret;
	}
	if (unlink(state) < 0 && errno != ENOENT) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", state, strerror(-ret));
		return ret;
	}
	sync_dir(state);
	return 1;
}

int client_sysdns_resolv_conf_text(const struct client_sysdns_config *cfg,
				   char *out, size_t outlen)
{
	char ip[INET6_ADDRSTRLEN];
	size_t used;
	int n;

	if (!cfg->n_servers || cfg->n_servers > CLIENT_SYSDNS_MAX_SERVERS)
		return -EINVAL;
	n = snprintf(out, outlen,
		     "# Written by fzagent (--dns-control resolv-conf): names "
		     "go to its DNS stub.\n"
		     "# The original comes back when fzagent stops.\n");
	if (n < 0 || (size_t)n >= outlen)
		return -ENOSPC;
	used = (size_t)n;
	for (size_t i = 0; i < cfg->n_servers; i++) {
		if (!inet_ntop(cfg->servers[i].family, cfg->servers[i].addr, ip,
			       sizeof(ip)))
			return -EINVAL;
		n = snprintf(out + used, outlen - used, "nameserver %s\n", ip);
		if (n < 0 || (size_t)n >= outlen - used)
			return -ENOSPC;
		used += (size_t)n;
	}
	return (int)used;
}

static int resolv_conf_apply(const struct client_sysdns_config *cfg, char *err,
			     size_t errlen)
{
	char text[1024], ignored[256];
	struct file_attrs attrs;
	int len, ret;

	len = client_sysdns_resolv_conf_text(cfg, text, sizeof(text));
	if (len < 0) {
		snprintf(err, errlen, "no DNS servers for resolv.conf");
		return len;
	}
	ret = save_original(cfg, &attrs, err, errlen);
	if (ret)
		return ret;
	ret = replace_file(resolv_path(cfg), "", 0, text, (size_t)len, 0644,
			   &attrs, true);
	if (ret) {
		snprintf(err, errlen, "cannot write %s: %s", resolv_path(cfg),
			 strerror(-ret));
		restore_original(cfg, ignored, sizeof(ignored));
	}
	return ret;
}

/* --- The modes --- */

int client_sysdns_recover(const struct client_sysdns_config *cfg, char *err,
			  size_t errlen)
{
	if (cfg->mode != CLIENT_SYSDNS_RESOLV_CONF)
		return 0;
	return restore_original(cfg, err, errlen);
}

int client_sysdns_apply(const struct client_sysdns_config *cfg, char *err,
			size_t errlen)
{
	int ret;

	switch (cfg->mode) {
	case CLIENT_SYSDNS_RESOLV_CONF:
		ret = client_sysdns_recover(cfg, err, errlen);
		return ret < 0 ? ret : resolv_conf_apply(cfg, err, errlen);
	case CLIENT_SYSDNS_RESOLVED:
		ret = client_sysdns_resolvectl(cfg, CLIENT_SYSDNS_STEP_DNS, err,
					       errlen);
		if (!ret)
			ret = client_sysdns_resolvectl(
				cfg, CLIENT_SYSDNS_STEP_DOMAIN, err, errlen);
		if (ret)
			client_sysdns_resolvectl(cfg, CLIENT_SYSDNS_STEP_REVERT,
						 NULL, 0);
		return ret;
	default:
		return 0;
	}
}

int client_sysdns_revert(const struct client_sysdns_config *cfg, char *err,
			 size_t errlen)
{
	int ret;

	switch (cfg->mode) {
	case CLIENT_SYSDNS_RESOLV_CONF:
		ret = restore_original(cfg, err, errlen);
		return ret < 0 ? ret : 0;
	case CLIENT_SYSDNS_RESOLVED:
		return client_sysdns_resolvectl(cfg, CLIENT_SYSDNS_STEP_REVERT,
						err, errlen);
	default:
		return 0;
	}
}
