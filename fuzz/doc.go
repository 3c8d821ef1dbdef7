// Package fuzz holds the fuzz targets for every sentrywire parser. Run one with go test -fuzz=FuzzX ./fuzz.
package fuzz
