package deploy

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/opsmonitor/monitor/pkg/telemetry"
)

// root is the repository root, seen from this package's directory.
const root = ".."

// monitorBinary builds cmd/monitor once per test binary run.
func monitorBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "monitor")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/monitor")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "building cmd/monitor:\n%s", out)
	return bin
}

// flagHelp is one flag of the binary's -h output.
type flagHelp struct {
	name, env, def string
}

var (
	flagLine = regexp.MustCompile(`^  -([a-z0-9-]+)`)
	envParen = regexp.MustCompile(`[( ](MONITOR_[A-Z0-9_]+)[),]`)
	defParen = regexp.MustCompile(`\(default "?([^")]*)"?\)\s*$`)
)

// flagsOf runs `monitor <sub> -h` and returns its flags by name.
func flagsOf(t *testing.T, bin, sub string) map[string]flagHelp {
	t.Helper()
	var out bytes.Buffer
	cmd := exec.Command(bin, sub, "-h")
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Env = []string{"HOME=" + t.TempDir()} // no MONITOR_* from the caller
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		require.NoError(t, err)
	}

	flags := map[string]flagHelp{}
	var cur *flagHelp
	for _, line := range strings.Split(out.String(), "\n") {
		if m := flagLine.FindStringSubmatch(line); m != nil {
			flags[m[1]] = flagHelp{name: m[1]}
			f := flags[m[1]]
			cur = &f
			continue
		}
		if cur == nil {
			continue
		}
		if m := envParen.FindStringSubmatch(line); m != nil {
			cur.env = m[1]
		}
		if m := defParen.FindStringSubmatch(line); m != nil {
			cur.def = m[1]
		}
		flags[cur.name] = *cur
	}
	require.NotEmpty(t, flags, "no flags parsed from `monitor %s -h`:\n%s", sub, out.String())
	for _, f := range flags {
		require.NotEmpty(t, f.env, "flag --%s of %s names no environment variable", f.name, sub)
	}
	return flags
}

// envNames returns the environment variables of flags.
func envNames(flags ...map[string]flagHelp) map[string]string {
	out := map[string]string{}
	for _, fs := range flags {
		for _, f := range fs {
			out[f.env] = f.name
		}
	}
	return out
}

// commandFlags returns the --flag value pairs of args, after the
// subcommand; a flag followed by another flag (or nothing) is a bool.
func commandFlags(t *testing.T, args []string, known map[string]flagHelp) map[string]string {
	t.Helper()
	out := map[string]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		require.True(t, strings.HasPrefix(a, "-"), "argument %q is not a flag", a)
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		_, ok := known[name]
		require.True(t, ok, "--%s is not a flag of monitor serve", name)
		if !hasVal && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
			val = args[i+1]
			i++
		}
		out[name] = val
	}
	return out
}

func readYAMLDocs(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var docs []map[string]any
	dec := yaml.NewDecoder(f)
	for {
		var d map[string]any
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, path)
		if d != nil {
			docs = append(docs, d)
		}
	}
	return docs
}

// dig walks a decoded YAML tree by map keys and list indexes.
func dig(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			require.True(t, ok, "%v: not a map at %q", path, k)
			v = m[k]
		case int:
			l, ok := v.([]any)
			require.True(t, ok && k < len(l), "%v: no item %d", path, k)
			v = l[k]
		}
	}
	return v
}

func str(t *testing.T, v any, path ...any) string {
	t.Helper()
	s, ok := dig(t, v, path...).(string)
	require.True(t, ok, "%v is not a string", path)
	return s
}

func stringList(t *testing.T, v any, path ...any) []string {
	t.Helper()
	l, ok := dig(t, v, path...).([]any)
	require.True(t, ok, "%v is not a list", path)
	out := make([]string, len(l))
	for i, x := range l {
		out[i] = yamlString(x)
	}
	return out
}

// yamlString renders a scalar as the container runtime would see it.
func yamlString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

func port(t *testing.T, hostPort string) string {
	t.Helper()
	_, p, err := net.SplitHostPort(hostPort)
	require.NoError(t, err, hostPort)
	return p
}

type binFlags struct {
	serve, clients map[string]flagHelp
}

func loadFlags(t *testing.T) binFlags {
	t.Helper()
	bin := monitorBinary(t)
	clients := map[string]flagHelp{}
	for _, sub := range []string{"publish", "token", "query"} {
		for k, v := range flagsOf(t, bin, sub) {
			clients[k] = v
		}
	}
	return binFlags{serve: flagsOf(t, bin, "serve"), clients: clients}
}

func TestDeployFilesAgreeWithTheBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the monitor binary")
	}
	bf := loadFlags(t)
	serveEnv := envNames(bf.serve)
	clientEnv := envNames(bf.serve, bf.clients)

	t.Run("docker-compose", func(t *testing.T) {
		docs := readYAMLDocs(t, filepath.Join(root, "docker-compose.yml"))
		require.Len(t, docs, 1)
		services, ok := docs[0]["services"].(map[string]any)
		require.True(t, ok)

		// Three NATS nodes of one cluster, each named, each with a store.
		conf := filepath.Join(root, "deploy", "nats", "cluster.conf")
		var natsHosts []string
		for name, svc := range services {
			if !strings.HasPrefix(name, "nats-") {
				continue
			}
			natsHosts = append(natsHosts, name)
			assert.Regexp(t, `^nats:2\.\d+`, str(t, svc, "image"), name)
			assert.Equal(t, []string{"--config", "/etc/nats/cluster.conf"}, stringList(t, svc, "command"), name)
			assert.Equal(t, name, str(t, svc, "environment", "SERVER_NAME"))
			vols := stringList(t, svc, "volumes")
			assert.Contains(t, vols, "./deploy/nats/cluster.conf:/etc/nats/cluster.conf:ro", name)
			assert.Contains(t, vols, name+"-data:/data", name)
		}
		slices.Sort(natsHosts)
		require.Equal(t, []string{"nats-1", "nats-2", "nats-3"}, natsHosts)
		opts := natsConf(t, conf, "nats-1")
		var routeHosts []string
		for _, r := range opts.Routes {
			assert.Equal(t, "6222", r.Port(), r.String())
			routeHosts = append(routeHosts, r.Hostname())
		}
		slices.Sort(routeHosts)
		assert.Equal(t, natsHosts, routeHosts, "the routes name every node")

		// The monitor: serve on all three, R3, dev auth, HTTP published.
		mon := services["monitor"]
		require.NotNil(t, mon)
		assert.Equal(t, "deploy/Dockerfile", str(t, mon, "build", "dockerfile"))
		assert.FileExists(t, filepath.Join(root, "deploy", "Dockerfile"))
		cmd := stringList(t, mon, "command")
		require.Equal(t, "serve", cmd[0])
		flags := commandFlags(t, cmd[1:], bf.serve)
		assert.Equal(t, "3", flags["replicas"])
		assert.Contains(t, flags, "dev-auth")
		var urlHosts []string
		for _, u := range strings.Split(flags["nats-url"], ",") {
			pu, err := url.Parse(u)
			require.NoError(t, err)
			assert.Equal(t, "nats", pu.Scheme)
			assert.Equal(t, "4222", pu.Port(), "the client port of %s", conf)
			urlHosts = append(urlHosts, pu.Hostname())
		}
		slices.Sort(urlHosts)
		assert.Equal(t, natsHosts, urlHosts, "--nats-url lists every node")
		for env := range dig(t, mon, "environment").(map[string]any) {
			assert.True(t, serveEnv[env] != "", "%s of monitor is no flag's variable", env)
		}
		httpPort := port(t, flags["http-addr"])
		assert.Contains(t, stringList(t, mon, "ports"), httpPort+":"+httpPort)
		for _, dep := range natsHosts {
			assert.Contains(t, stringList(t, mon, "depends_on"), dep)
		}

		cli := services["monitor-cli"]
		require.NotNil(t, cli)
		assert.Equal(t, str(t, mon, "image"), str(t, cli, "image"))
		for env := range dig(t, cli, "environment").(map[string]any) {
			assert.True(t, clientEnv[env] != "", "%s of monitor-cli is no flag's variable", env)
		}
	})

	t.Run("kubernetes", func(t *testing.T) {
		byKind := map[string]map[string]any{}
		for _, f := range []string{"configmap.yaml", "deployment.yaml", "service.yaml"} {
			for _, d := range readYAMLDocs(t, filepath.Join(root, "deploy", "k8s", f)) {
				byKind[str(t, d, "kind")] = d
			}
		}
		kust := readYAMLDocs(t, filepath.Join(root, "deploy", "k8s", "kustomization.yaml"))
		assert.ElementsMatch(t, []string{"configmap.yaml", "deployment.yaml", "service.yaml"},
			stringList(t, kust[0], "resources"))

		cm, dep, svc := byKind["ConfigMap"], byKind["Deployment"], byKind["Service"]
		require.NotNil(t, cm)
		require.NotNil(t, dep)
		require.NotNil(t, svc)

		data := dig(t, cm, "data").(map[string]any)
		for env, v := range data {
			assert.True(t, serveEnv[env] != "", "ConfigMap key %s is no flag's variable", env)
			_, isString := v.(string)
			assert.True(t, isString, "%s must be quoted: env values are strings", env)
		}
		assert.Equal(t, "nats://nats:4222", data["MONITOR_NATS_URL"], "the NATS Helm chart's service")
		assert.Equal(t, "3", data["MONITOR_REPLICAS"])
		httpPort := port(t, data["MONITOR_HTTP_ADDR"].(string))

		pod := dig(t, dep, "spec", "template")
		assert.Equal(t, dig(t, dep, "spec", "selector", "matchLabels"), dig(t, pod, "metadata", "labels"))
		assert.Equal(t, "Recreate", str(t, dep, "spec", "strategy", "type"),
			"a standby never turns ready, so a rolling update would stall")
		assert.Equal(t, true, dig(t, pod, "spec", "securityContext", "runAsNonRoot"))
		c := dig(t, pod, "spec", "containers", 0)
		assert.Equal(t, []string{"serve"}, stringList(t, c, "args"))
		assert.Equal(t, str(t, cm, "metadata", "name"), str(t, c, "envFrom", 0, "configMapRef", "name"))
		for _, e := range dig(t, c, "env").([]any) {
			assert.True(t, serveEnv[str(t, e, "name")] != "", "container env %s", str(t, e, "name"))
		}
		assert.Equal(t, "http", str(t, c, "ports", 0, "name"))
		assert.Equal(t, httpPort, yamlString(dig(t, c, "ports", 0, "containerPort")))
		assert.Equal(t, "/healthz", str(t, c, "livenessProbe", "httpGet", "path"))
		assert.Equal(t, "/readyz", str(t, c, "readinessProbe", "httpGet", "path"))
		assert.Equal(t, "http", str(t, c, "livenessProbe", "httpGet", "port"))
		assert.Equal(t, "http", str(t, c, "readinessProbe", "httpGet", "port"))
		assert.NotEmpty(t, str(t, c, "resources", "requests", "memory"))
		assert.NotEmpty(t, str(t, c, "resources", "limits", "memory"))
		assert.Equal(t, "opsmonitor/monitor", strings.Split(str(t, c, "image"), ":")[0])
		assert.Equal(t, httpPort, str(t, pod, "metadata", "annotations", "prometheus.io/port"))

		// Mounted paths the ConfigMap points at.
		var mounts []string
		for _, m := range dig(t, c, "volumeMounts").([]any) {
			mounts = append(mounts, str(t, m, "mountPath"))
		}
		assert.Contains(t, mounts, data["MONITOR_DATA_DIR"])
		assert.Contains(t, mounts, filepath.Dir(data["MONITOR_AUTH_KEYS"].(string)))

		assert.Equal(t, dig(t, pod, "metadata", "labels"), dig(t, svc, "spec", "selector"))
		assert.Equal(t, "http", str(t, svc, "spec", "ports", 0, "targetPort"))
	})

	t.Run("Dockerfile", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(root, "deploy", "Dockerfile"))
		require.NoError(t, err)
		df := string(b)
		assert.Equal(t, 2, strings.Count(df, "\nFROM "), "multi-stage")
		assert.Contains(t, df, "CGO_ENABLED=0")
		assert.Regexp(t, `(?m)^USER 65532`, df)
		assert.Regexp(t, `(?m)^FROM gcr\.io/distroless/static`, df)
		assert.Contains(t, df, `ENTRYPOINT ["/monitor"]`)
		assert.Contains(t, df, `CMD ["serve"]`)
		for _, m := range regexp.MustCompile(`(MONITOR_[A-Z0-9_]+)=(\S+)`).FindAllStringSubmatch(df, -1) {
			assert.True(t, serveEnv[m[1]] != "", "ENV %s in the Dockerfile", m[1])
			if m[1] == "MONITOR_HTTP_ADDR" {
				assert.Regexp(t, `(?m)^EXPOSE `+port(t, m[2])+`$`, df)
			}
		}
	})

	t.Run("configuration reference", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(root, "docs", "configuration.md"))
		require.NoError(t, err)
		doc := string(b)
		for _, f := range bf.serve {
			assert.Contains(t, doc, "`--"+f.name+"`", "docs/configuration.md documents --%s", f.name)
			assert.Contains(t, doc, "`"+f.env+"`", "docs/configuration.md names %s", f.env)
		}
	})
}

// natsConf loads a node's configuration as nats-server would.
func natsConf(t *testing.T, path, serverName string) *server.Options {
	t.Helper()
	t.Setenv("SERVER_NAME", serverName)
	opts, err := server.ProcessConfigFile(path)
	require.NoError(t, err, path)
	assert.Equal(t, serverName, opts.ServerName)
	assert.True(t, opts.JetStream, "jetstream on")
	assert.Equal(t, "monitor", opts.Cluster.Name)
	assert.Equal(t, 6222, opts.Cluster.Port)
	assert.Equal(t, 4222, opts.Port)
	return opts
}

func TestNATSConfigNamesEachNode(t *testing.T) {
	for _, name := range []string{"nats-1", "nats-2", "nats-3"} {
		t.Run(name, func(t *testing.T) {
			natsConf(t, filepath.Join(root, "deploy", "nats", "cluster.conf"), name)
		})
	}
}

// recorder is a Registerer that keeps the descriptions of what is
// registered, for the names of the exported series.
type recorder struct{ names map[string]bool }

var fqName = regexp.MustCompile(`fqName: "([a-z_:]+)"`)

func (r *recorder) Register(c prometheus.Collector) error {
	ch := make(chan *prometheus.Desc, 64)
	go func() {
		c.Describe(ch)
		close(ch)
	}()
	for d := range ch {
		if m := fqName.FindStringSubmatch(d.String()); m != nil {
			r.names[m[1]] = true
		}
	}
	return nil
}

func (r *recorder) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		_ = r.Register(c)
	}
}

func (r *recorder) Unregister(prometheus.Collector) bool { return false }

func TestDashboardUsesExportedSeries(t *testing.T) {
	rec := &recorder{names: map[string]bool{}}
	_, err := telemetry.New(rec, telemetry.Options{TenantFigures: true}, telemetry.Sources{})
	require.NoError(t, err)
	require.Contains(t, rec.names, "monitor_tenants")

	b, err := os.ReadFile(filepath.Join(root, "deploy", "grafana", "monitor-dashboard.json"))
	require.NoError(t, err)
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Type    string `json:"type"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	require.NoError(t, json.Unmarshal(b, &dash))

	used := map[string]bool{}
	series := regexp.MustCompile(`\bmonitor_[a-z_]+`)
	for _, p := range dash.Panels {
		if p.Type == "row" {
			continue
		}
		require.NotEmpty(t, p.Targets, "panel %q has no query", p.Title)
		for _, tg := range p.Targets {
			for _, name := range series.FindAllString(tg.Expr, -1) {
				base := name
				for _, suf := range []string{"_bucket", "_count", "_sum"} {
					if s, ok := strings.CutSuffix(name, suf); ok && rec.names[s] {
						base = s
					}
				}
				assert.True(t, rec.names[base], "panel %q queries %s, which is not exported", p.Title, name)
				used[base] = true
			}
		}
	}
	for name := range rec.names {
		assert.True(t, used[name], "no panel shows %s", name)
	}
}
