package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// configFlag is --config. It is not one of flagSpecs: a config file cannot
// name another config file, so it is no config key.
var configFlag = flagSpec{"config", "COGNITOD_CONFIG", "", "YAML `file` of settings whose keys are the flag names (listen: 127.0.0.1:9230, key-rotation: 720h); command-line flags and environment variables override it (docs/CONFIGURATION.md)"}

// envOnly are the settings read from the environment only: secrets do not
// belong on command lines, nor in a config file that is often committed or
// shared. A config file may name a keys-file (or a seed file) instead.
var envOnly = []string{"COGNITOD_ACCESS_KEY_ID", "COGNITOD_SECRET_ACCESS_KEY", "COGNITOD_ACCOUNT_ID"}

// fileValue is one setting of a config file and the line it is on.
type fileValue struct {
	value string
	line  int
}

// loadConfigFile reads a config file: a YAML mapping whose keys are flag
// names and whose values are scalars, read as the flag would read them.
// Decoding is strict: an unknown or repeated key, or a list or mapping
// value, is an error naming the key and its line. The keys come from
// flagSpecs, so a new flag is a config key without further code.
func loadConfigFile(path string) (map[string]fileValue, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--config: %w", err)
	}
	return parseConfigFile(b, path)
}

func parseConfigFile(b []byte, name string) (map[string]fileValue, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return map[string]fileValue{}, nil // an empty file sets nothing
		}
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	// One document: settings after a "---" would otherwise be dropped
	// without a word.
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		line := more.Line
		if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		return nil, fmt.Errorf("%s:%d: a second YAML document; a config file is one mapping of flag names to values", name, line)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return map[string]fileValue{}, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: want a mapping of flag names to values (listen: 127.0.0.1:9230)", name, root.Line)
	}
	known := map[string]bool{}
	for _, f := range flagSpecs {
		known[f.name] = true
	}
	out := map[string]fileValue{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		key := k.Value
		switch {
		case key == configFlag.name:
			return nil, fmt.Errorf("%s:%d: %q: a config file cannot name another config file", name, k.Line, key)
		case isSecretKey(key):
			return nil, fmt.Errorf("%s:%d: %q: secrets are not read from the config file; set %s in the environment, or name a keys-file", name, k.Line, key, strings.Join(envOnly, ", "))
		case !known[key]:
			return nil, fmt.Errorf("%s:%d: unknown key %q; the keys are the flag names: %s", name, k.Line, key, flagNames())
		}
		if prev, ok := out[key]; ok {
			return nil, fmt.Errorf("%s:%d: key %q is already set on line %d", name, k.Line, key, prev.line)
		}
		for v.Kind == yaml.AliasNode {
			v = v.Alias
		}
		if v.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("%s:%d: %s: want a single value, as --%s takes", name, v.Line, key, key)
		}
		val := v.Value
		if v.Tag == "!!null" {
			val = "" // "key:" with nothing: as --key=
		}
		out[key] = fileValue{value: val, line: k.Line}
	}
	return out, nil
}

// isSecretKey reports whether a config key names an environment-only secret
// (access-key-id, COGNITOD_SECRET_ACCESS_KEY, secret_access_key...).
func isSecretKey(key string) bool {
	k := strings.ToUpper(strings.NewReplacer("-", "_").Replace(key))
	for _, e := range envOnly {
		if k == e || "COGNITOD_"+k == e {
			return true
		}
	}
	return false
}

func flagNames() string {
	names := make([]string, len(flagSpecs))
	for i, f := range flagSpecs {
		names[i] = f.name
	}
	return strings.Join(names, ", ")
}

// layerSettings fills in every flag the command line did not set, by
// precedence: command-line flag > environment variable > config file >
// default. vals holds the flags' values after fs.Parse (defaults where not
// given); configPath is --config's.
func layerSettings(fs *flag.FlagSet, vals map[string]*string, configPath string, getenv func(string) string) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set[configFlag.name] {
		configPath = getenv(configFlag.env)
	}
	file := map[string]fileValue{}
	if configPath != "" {
		var err error
		if file, err = loadConfigFile(configPath); err != nil {
			return err
		}
	}
	for _, f := range flagSpecs {
		if set[f.name] {
			continue
		}
		if v := getenv(f.env); v != "" {
			*vals[f.name] = v
		} else if fv, ok := file[f.name]; ok {
			*vals[f.name] = fv.value
		}
	}
	return nil
}
