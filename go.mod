module github.com/sentrywire/sentrywire

go 1.26.8

require (
	github.com/andybalholm/brotli v1.2.8
	github.com/go-json-experiment/json v1.27.2
	github.com/klauspost/compress v1.20.4
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/dlclark/regexp2 v1.12.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
