#ifndef TOUCHSTONE_CCURL_SHIM_H
#define TOUCHSTONE_CCURL_SHIM_H

/* Typed, non-variadic wrappers around libcurl for Swift (Swift cannot call C variadics,
   nor read the CURLMsg.data union). Keep this file small: one wrapper per argument type. */

#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <sys/types.h>

/* --- global --- */
static inline CURLcode ts_curl_global_init(void) { return curl_global_init(CURL_GLOBAL_ALL); }
/* URL API flags (macros with shifts). */
static const unsigned int TS_CURLU_DEFAULT_PORT = CURLU_DEFAULT_PORT;
static const unsigned int TS_CURLU_NON_SUPPORT_SCHEME = CURLU_NON_SUPPORT_SCHEME;
/* CURL_REDIR_POST_ALL is a compound macro Swift cannot import. */
static const long TS_CURL_REDIR_POST_ALL = CURL_REDIR_POST_ALL;

/* --- curl_easy_setopt --- */
static inline CURLcode ts_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ts_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ts_easy_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ts_easy_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ts_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
/* CURLOPT_WRITEFUNCTION / CURLOPT_HEADERFUNCTION */
static inline CURLcode ts_easy_setopt_write_callback(CURL *h, CURLoption o, curl_write_callback cb) { return curl_easy_setopt(h, o, cb); }
/* CURLOPT_XFERINFOFUNCTION */
static inline CURLcode ts_easy_setopt_xferinfo_callback(CURL *h, curl_xferinfo_callback cb) {
    return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, cb);
}

/* --- curl_easy_getinfo --- */
static inline CURLcode ts_easy_getinfo_long(CURL *h, CURLINFO i, long *out) { return curl_easy_getinfo(h, i, out); }
static inline CURLcode ts_easy_getinfo_off(CURL *h, CURLINFO i, curl_off_t *out) { return curl_easy_getinfo(h, i, out); }
static inline CURLcode ts_easy_getinfo_double(CURL *h, CURLINFO i, double *out) { return curl_easy_getinfo(h, i, out); }
static inline CURLcode ts_easy_getinfo_string(CURL *h, CURLINFO i, char **out) { return curl_easy_getinfo(h, i, out); }
static inline CURLcode ts_easy_getinfo_pointer(CURL *h, CURLINFO i, void **out) { return curl_easy_getinfo(h, i, out); }

/* --- curl_multi_setopt --- */
static inline CURLMcode ts_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }

/* --- CURLMsg --- */
static inline CURLMSG ts_msg_kind(const CURLMsg *m) { return m->msg; }
static inline CURL *ts_msg_easy(const CURLMsg *m) { return m->easy_handle; }
static inline CURLcode ts_msg_result(const CURLMsg *m) { return m->data.result; }

#endif
