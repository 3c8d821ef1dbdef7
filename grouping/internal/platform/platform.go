// Package platform maps a Sentry platform name to the family that grouping
// rules talk about.
//
// Stack trace rules (family:native), fingerprinting rules and the frame
// strategy all reason about three families rather than about the dozens of
// platform names SDKs send, so the mapping lives in one place.
package platform

// Family is the coarse kind of platform that grouping rules match.
type Family uint8

const (
	// Other is every platform that is neither native nor JavaScript.
	Other Family = iota
	// Native is C, C++, Objective-C, Swift and Cocoa.
	Native
	// JavaScript is browser JavaScript and Node.
	JavaScript
)

// FamilyOf returns the family of a platform name as Sentry's
// get_behavior_family_for_platform computes it: an unknown or empty name
// is Other.
func FamilyOf(platform string) Family {
	switch platform {
	case "objc", "cocoa", "swift", "native", "c":
		return Native
	case "javascript", "node":
		return JavaScript
	}
	return Other
}

// String returns the name rules use for the family: "native",
// "javascript" or "other".
func (f Family) String() string {
	switch f {
	case Native:
		return "native"
	case JavaScript:
		return "javascript"
	}
	return "other"
}
