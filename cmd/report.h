/*
 * report.h - the per-file report shared by inspect and verify.
 */
#ifndef CMD_REPORT_H
#define CMD_REPORT_H

#include <stdio.h>

#include "asmgate.h"
#include "rd/json.h"

/** Members of one file's JSON object: path (the display name), origin
 *  ({"file", "members"}; origin NULL: path is the file), error, pe, cli,
 *  assembly, module, references, attributes. The caller opens and closes
 *  the object, so verify can add members. img may be NULL (err then
 *  set). */
void cmd_report_file_json(rd_json *j, const char *path,
    const asmgate_origin *origin, const asmgate_image *img,
    const asmgate_error *err);

/** "error": null or {"code", "message", "offset"}. */
void cmd_report_error_json(rd_json *j, const asmgate_error *err);

/** The human-readable block for one file. */
void cmd_report_file_text(FILE *out, const char *path,
    const asmgate_image *img);

/* Text: one line for each container of the chain that carries its own
 * signature (noted, not verified), e.g. an installer database's
 * Authenticode signature. */
void cmd_report_origin_text(FILE *out, const asmgate_origin *origin);

/** The assembly's public key token into buf, or NULL when it has none. */
const uint8_t *cmd_assembly_token(const asmgate_image_info *info,
    uint8_t buf[8]);

/** Short names: "i386", "amd64", ...; "sha1", ...; NULL if unknown. */
const char *cmd_machine_name(uint16_t machine);
const char *cmd_hash_alg_name(uint32_t alg);

/* app.c: BizTalk application MSIs. An assembly's resource: text, a
 * line when the package is refused; JSON, "resource": {...} (nothing
 * outside an application). The application itself (inspect). */
void cmd_print_resource_text(const asmgate_subject_resource *res,
    FILE *out);
void cmd_print_resource_json(const asmgate_subject_resource *res,
    rd_json *j);
void cmd_app_text(FILE *out, const char *path, const asmgate_app *app);
void cmd_app_json(rd_json *j, const char *path, const asmgate_app *app);
/* verify without --bindings: the binding files the application MSIs
 * among the paths carry for env (NULL: their default ones), appended
 * to b (*n of RD_MAX_BINDING_FILES), their hosts checked against pol;
 * 0 after printing why it cannot go on. */
int cmd_app_bindings(const char *const *paths, size_t npaths,
    const char *const *listed, size_t nlisted, const char *env,
    const asmgate_policy *pol, const char *policy_path,
    asmgate_bindings **b, size_t *n);
/* bindings show|lint: when path is a BizTalk application MSI, its
 * binding for env (NULL: the default one) in *out and 1; -1 printed
 * (none for env, a bad package); 0 not an application MSI. */
int cmd_app_binding(const char *path, const char *env,
    asmgate_bindings **out);

#endif /* CMD_REPORT_H */
