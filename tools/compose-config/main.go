// compose-config validates docker-compose.yml with compose-go, the loader that
// `docker compose config` itself uses, so the file is checked without a Docker engine.
// Usage: compose-config <file> [KEY=VALUE ...]   (variables for interpolation)
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-config <docker-compose.yml> [KEY=VALUE ...]")
		os.Exit(2)
	}
	file, _ := filepath.Abs(os.Args[1])
	env := map[string]string{}
	for _, kv := range os.Args[2:] {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	opts, err := cli.NewProjectOptions([]string{file},
		cli.WithWorkingDirectory(filepath.Dir(file)),
		cli.WithEnv(mapToList(env)),
		cli.WithInterpolation(true),
		cli.WithResolvedPaths(true),
	)
	if err != nil {
		fail(err)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	out, err := project.MarshalYAML()
	if err != nil {
		fail(err)
	}
	os.Stdout.Write(out)
}

func mapToList(m map[string]string) []string {
	l := make([]string, 0, len(m))
	for k, v := range m {
		l = append(l, k+"="+v)
	}
	return l
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "invalid compose file:", err)
	os.Exit(1)
}
