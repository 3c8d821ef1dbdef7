module github.com/sentrywire/sentrywire

go 1.26.8

require (
	github.com/andybalholm/brotli v1.2.8
	github.com/go-json-experiment/json v1.27.2
	github.com/klauspost/compress v1.20.4
	github.com/stretchr/testify v1.12.1
)

require go.yaml.in/yaml/v3 v3.0.5 // indirect
