/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json-query.c - the tests' JSON parser: reads one JSON document on
 * standard input (nothing but blanks may follow it) and prints the value
 * at PATH, a dot-separated list of member names and array indexes
 * ("processes.0.status"; "" for the whole document).  Strings are printed
 * bare, null as "null", arrays and objects as JSON; "#" as the last
 * element prints an array's length.  "[KEY=VALUE]" applied to an array
 * keeps the objects whose member KEY is the string VALUE
 * ("symbols.[name=memcpy].#": how many symbols are named memcpy).
 *
 *   exit 0: printed; 1: no such value; 2: not exactly one JSON document.
 */
#include <ctype.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: json-query PATH < DOCUMENT\n");
		return 2;
	}
	static char text[8 << 20];
	size_t len = fread(text, 1, sizeof(text) - 1, stdin);
	text[len] = '\0';
	json_tokener *tok = json_tokener_new();
	json_object *doc = json_tokener_parse_ex(tok, text, (int)len);
	size_t end = tok->char_offset;
	if (!doc || json_tokener_get_error(tok) != json_tokener_success) {
		fprintf(stderr, "json-query: not a JSON document: %s\n",
			json_tokener_error_desc(json_tokener_get_error(tok)));
		return 2;
	}
	for (; end < len; end++)
		if (!isspace((unsigned char)text[end])) {
			fprintf(stderr, "json-query: text after the document at byte %zu\n", end);
			return 2;
		}
	json_object *v = doc;
	char *path = argv[1];
	for (char *el = strtok(path, "."); el; el = strtok(NULL, ".")) {
		char *eq = strchr(el, '=');
		size_t n = strlen(el);
		if (el[0] == '[' && el[n - 1] == ']' && eq && json_object_is_type(v, json_type_array)) {
			el[n - 1] = '\0';
			*eq = '\0';
			json_object *kept = json_object_new_array(), *m;
			for (size_t i = 0; i < json_object_array_length(v); i++) {
				json_object *e = json_object_array_get_idx(v, i);
				if (json_object_object_get_ex(e, el + 1, &m) &&
				    json_object_is_type(m, json_type_string) &&
				    strcmp(json_object_get_string(m), eq + 1) == 0)
					json_object_array_add(kept, json_object_get(e));
			}
			v = kept; /* freed with the process */
			continue;
		}
		if (strcmp(el, "#") == 0 && json_object_is_type(v, json_type_array)) {
			printf("%zu\n", json_object_array_length(v));
			return 0;
		}
		if (json_object_is_type(v, json_type_array)) {
			char *e;
			long i = strtol(el, &e, 10);
			if (*e || i < 0 || (size_t)i >= json_object_array_length(v))
				return 1;
			v = json_object_array_get_idx(v, (size_t)i);
		} else if (!json_object_is_type(v, json_type_object) || !json_object_object_get_ex(v, el, &v)) {
			return 1;
		}
	}
	if (!v)
		puts("null");
	else if (json_object_is_type(v, json_type_string))
		puts(json_object_get_string(v));
	else
		puts(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
	return 0;
}
