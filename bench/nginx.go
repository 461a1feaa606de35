package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// The peer rows: what an operator would otherwise put in front of the
// store. E is nginx's plain proxy_pass; F is nginx inserting the same
// widget with sub_filter, in front of the first "</body>" it meets
// (sub_filter does not read HTML: on the bench page that is the one in
// the <title>). Debian's nginx-light has sub_filter.
var (
	configNginx    = proxyConfig{Key: "E", Name: "nginx proxy_pass", Nginx: true, Route: "/page"}
	configNginxSub = proxyConfig{Key: "F", Name: "nginx sub_filter inserting the widget", Nginx: true, SubFilter: true, Route: "/cart"}
)

// nginxAvailable reports whether nginx can be run; without it the run has
// no peer rows.
func nginxAvailable() bool {
	_, err := exec.LookPath("nginx")
	return err == nil
}

// nginxConf renders nginx's configuration for cfg: one process (no master,
// so that its CPU time is the process's), pinned like Caddy, keep-alive to
// the store as reverse_proxy has, no access log (Caddy's is off too).
// widget is the fragment F inserts.
func nginxConf(cfg proxyConfig, listen, upstream, dir string, widget []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, `daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events {
	worker_connections 4096;
}
http {
	access_log off;
	client_body_temp_path %[1]s/body;
	proxy_temp_path %[1]s/proxy;
	fastcgi_temp_path %[1]s/fastcgi;
	uwsgi_temp_path %[1]s/uwsgi;
	scgi_temp_path %[1]s/scgi;
%[4]s	upstream store {
		server %[2]s;
		keepalive 64;
	}
	server {
		listen %[3]s;
		location / {
			proxy_pass http://store;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_buffering on;
`, dir, upstream, listen, widgetVars(cfg, widget))
	if cfg.SubFilter {
		var refs strings.Builder
		for i := range widgetChunks(widget) {
			fmt.Fprintf(&refs, "${kairo_widget_%d}", i)
		}
		fmt.Fprintf(&b, `			proxy_set_header Accept-Encoding "";
			sub_filter_types text/html;
			sub_filter_once on;
			sub_filter '</body>' '%s</body>';
`, refs.String())
	}
	b.WriteString("\t\t}\n\t}\n}\n")
	return b.String()
}

// widgetChunk bounds one piece of the widget in nginx's configuration,
// whose parser refuses a single value over 4 KB.
const widgetChunk = 2048

// widgetChunks cuts the widget into pieces nginx can read.
func widgetChunks(widget []byte) [][]byte {
	var chunks [][]byte
	for len(widget) > 0 {
		n := min(widgetChunk, len(widget))
		chunks = append(chunks, widget[:n])
		widget = widget[n:]
	}
	return chunks
}

// widgetVars defines the widget's pieces as variables for F's sub_filter
// ("geo" with only a default is a constant): a geo value is taken as it
// is written, so the widget's "$" need no escape, and the replacement
// refers to the pieces in order.
func widgetVars(cfg proxyConfig, widget []byte) string {
	if !cfg.SubFilter {
		return ""
	}
	var b strings.Builder
	for i, chunk := range widgetChunks(widget) {
		fmt.Fprintf(&b, "\tgeo $kairo_widget_%d {\n\t\tdefault '%s';\n\t}\n", i, nginxString(string(chunk)))
	}
	return b.String()
}

// nginxString escapes s for a single-quoted nginx string.
func nginxString(s string) string {
	return strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s)
}

// startNginx runs nginx with cfg on a fresh port and waits until it
// serves; the process is handled like a Caddy one (CPU time, RSS and
// system calls by pid, SIGINT to stop).
func (l *caddyLauncher) startNginx(cfg proxyConfig) (*caddyProc, error) {
	if cfg.SubFilter && len(l.widget) == 0 {
		return nil, fmt.Errorf("%s: no widget to insert yet (C runs first and lends its own)", cfg.Name)
	}
	l.started++
	listen, err := freeAddr()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(l.workdir, fmt.Sprintf("%s-%03d", cfg.Key, l.started))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(nginxConf(cfg, listen, l.upstream, dir, l.widget)), 0o644); err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "stderr.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd := l.place.command("nginx", "-p", dir, "-c", conf)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := l.place.start(cmd); err != nil {
		return nil, fmt.Errorf("starting nginx: %w", err)
	}
	p := &caddyProc{cmd: cmd, base: "http://" + listen, logPath: filepath.Join(dir, "error.log"), done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	if err := p.waitReady(configPlain.url(p.base, size16K), 20*time.Second); err != nil {
		p.stop()
		// nginx says why it would not start on stderr, before its error log.
		said, _ := os.ReadFile(filepath.Join(dir, "stderr.log"))
		return nil, fmt.Errorf("nginx (%s): %v\n%s%s", cfg.Name, err, said, p.logTail())
	}
	return p, nil
}
