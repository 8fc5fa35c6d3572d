// SPDX-License-Identifier: GPL-2.0
/*
 * fzagent genkey and fzagent pubkey: key material on the command line,
 * interchangeable with `wg genkey` and `wg pubkey`.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cmd.h"
#include "lib/keys.h"

static const char genkey_usage[] =
	"NAME\n"
	"    fzagent genkey - generate a new private key\n"
	"\n"
	"SYNOPSIS\n"
	"    fzagent genkey [-h | --help]\n"
	"\n"
	"DESCRIPTION\n"
	"    Generates a random Curve25519 private key, clamped as RFC 7748\n"
	"    requires, and writes it in base64 (44 characters) followed by a\n"
	"    newline to standard output. The format is the one of wg(8), so\n"
	"    the key can be used with `wg pubkey` and vice versa.\n"
	"\n"
	"    The key is a secret. If standard output is a regular file that\n"
	"    other users may access, a warning is written to standard error;\n"
	"    set the umask to 077 before creating key files.\n"
	"\n"
	"OPTIONS\n"
	"    -h, --help\n"
	"        Print this help to standard output and exit.\n"
	"\n"
	"EXAMPLES\n"
	"    umask 077\n"
	"    fzagent genkey > private.key\n"
	"    fzagent genkey | tee private.key | fzagent pubkey > public.key\n"
	"\n"
	"EXIT STATUS\n"
	"    0 on success, 1 on error.\n";

static const char pubkey_usage[] =
	"NAME\n"
	"    fzagent pubkey - compute the public key of a private key\n"
	"\n"
	"SYNOPSIS\n"
	"    fzagent pubkey [-h | --help] < PRIVATE_KEY\n"
	"\n"
	"DESCRIPTION\n"
	"    Reads a base64 private key (44 characters, optionally followed\n"
	"    by one newline) from standard input and writes the matching\n"
	"    Curve25519 public key in base64 followed by a newline to\n"
	"    standard output. Anything else on standard input is refused.\n"
	"    The result is the same as `wg pubkey` prints.\n"
	"\n"
	"OPTIONS\n"
	"    -h, --help\n"
	"        Print this help to standard output and exit.\n"
	"\n"
	"EXAMPLES\n"
	"    fzagent pubkey < private.key > public.key\n"
	"    fzagent genkey | tee private.key | fzagent pubkey\n"
	"\n"
	"EXIT STATUS\n"
	"    0 on success, 1 on error (including an invalid private key).\n";

/* Refuse stray arguments; they usually mean a misremembered syntax. */
static int check_no_args(const char *cmd, int argc, char *argv[])
{
	if (argc > 1)
		return fz_cli_usage_error(cmd, "unexpected argument '%s'",
					  argv[1]);
	return 0;
}

/* Like `wg genkey`: a key file others can read is worth a warning. */
static void warn_if_world_accessible(void)
{
	struct stat st;

	if (fstat(STDOUT_FILENO, &st) < 0)
		return;
	if (S_ISREG(st.st_mode) && (st.st_mode & S_IRWXO))
		fz_cli_error("genkey",
			     "warning: writing to world accessible file; "
			     "consider setting the umask to 077");
}

static int print_key(const char *cmd, const uint8_t key[FZ_KEY_LEN])
{
	char b64[FZ_KEY_B64_LEN + 1];
	int ret = FZ_CLI_EXIT_OK;

	fz_key_to_base64(b64, key);
	if (puts(b64) == EOF || fflush(stdout) == EOF) {
		fz_cli_error(cmd, "cannot write to standard output: %s",
			     strerror(errno));
		ret = FZ_CLI_EXIT_FAILURE;
	}
	sodium_memzero(b64, sizeof(b64));
	return ret;
}

int cmd_genkey_main(int argc, char *argv[])
{
	uint8_t priv[FZ_KEY_LEN];
	int ret;

	if (fz_cli_wants_help(argc, argv))
		return fz_cli_print_usage(genkey_usage);
	ret = check_no_args("genkey", argc, argv);
	if (ret)
		return ret;

	warn_if_world_accessible();
	fz_key_generate_private(priv);
	ret = print_key("genkey", priv);
	sodium_memzero(priv, sizeof(priv));
	return ret;
}

/*
 * Read one key: 44 characters and at most one newline. Reading one byte
 * more than that detects trailing garbage without reading all of stdin.
 */
static int read_private_key(uint8_t priv[FZ_KEY_LEN])
{
	char buf[FZ_KEY_B64_LEN + 2];
	size_t len;
	int ret;

	len = fread(buf, 1, sizeof(buf), stdin);
	if (ferror(stdin)) {
		ret = -EIO;
		goto out;
	}
	if (len == FZ_KEY_B64_LEN + 1 && buf[FZ_KEY_B64_LEN] == '\n')
		len--;
	ret = fz_key_from_base64(priv, buf, len);
out:
	sodium_memzero(buf, sizeof(buf));
	return ret;
}

int cmd_pubkey_main(int argc, char *argv[])
{
	uint8_t priv[FZ_KEY_LEN], pub[FZ_KEY_LEN];
	int ret;

	if (fz_cli_wants_help(argc, argv))
		return fz_cli_print_usage(pubkey_usage);
	ret = check_no_args("pubkey", argc, argv);
	if (ret)
		return ret;

	ret = read_private_key(priv);
	if (ret == -EIO) {
		fz_cli_error("pubkey", "cannot read standard input");
		return FZ_CLI_EXIT_FAILURE;
	}
	if (!ret)
		ret = fz_key_public_from_private(pub, priv);
	sodium_memzero(priv, sizeof(priv));
	if (ret) {
		fz_cli_error("pubkey", "invalid private key on standard input");
		return FZ_CLI_EXIT_FAILURE;
	}
	return print_key("pubkey", pub);
}
