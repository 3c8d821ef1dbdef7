package protocol

import (
	"errors"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// A Stacktrace is a list of frames, ordered as Relay wants them: caller
// first, so the frame that raised the error or crashed is the last one.
type Stacktrace struct {
	// Frames are the stack frames, outermost first.
	Frames []Frame `json:"frames,omitzero"`
	// Registers are the CPU registers at the time of a native crash, by
	// name ("rip", "x0"...).
	Registers map[string]Addr `json:"registers,omitzero"`
	// InstructionAddrAdjustment tells symbolication which instruction
	// addresses are return addresses that must be moved back by one
	// instruction: "auto", "all_but_first", "all" or "none".
	InstructionAddrAdjustment string `json:"instruction_addr_adjustment,omitzero"`
	// Lang is the programming language of the frames, when not the
	// event's platform.
	Lang string `json:"lang,omitzero"`
	// Snapshot marks a stack trace taken while the thread ran on (a
	// watchdog's sample, say), rather than where an error was raised.
	Snapshot *bool `json:"snapshot,omitzero"`

	// Other holds every key not named above.
	Other map[string]jsontext.Value `json:",embed"`
}

// Top returns the innermost frame, where the error was raised, or nil if
// there are no frames. Frames are sent caller first, so it is the last.
func (s *Stacktrace) Top() *Frame {
	if s == nil || len(s.Frames) == 0 {
		return nil
	}
	return &s.Frames[len(s.Frames)-1]
}

// A Frame is one stack frame. Interpreted and source-mapped platforms
// fill the source fields (Filename, Function, Lineno, the context
// lines); native platforms send addresses, which symbolication turns into
// source fields later. SDKs should send at least one of Filename,
// Function and InstructionAddr.
type Frame struct {
	// Function is the function name, possibly demangled and shortened.
	Function string `json:"function,omitzero"`
	// RawFunction is the function name as the runtime gave it, before
	// demangling or trimming.
	RawFunction string `json:"raw_function,omitzero"`
	// Symbol is the mangled symbol of a native frame.
	Symbol string `json:"symbol,omitzero"`
	// Module is the module or package the function belongs to, in the
	// platform's notation ("__main__", "github.com/x/y").
	Module string `json:"module,omitzero"`
	// Package is the binary or library that contains the frame in a
	// native stack trace.
	Package string `json:"package,omitzero"`
	// Filename is the source file path relative to the project, used for
	// grouping.
	Filename string `json:"filename,omitzero"`
	// AbsPath is the absolute path or URL of the source file.
	AbsPath string `json:"abs_path,omitzero"`
	// Lineno is the 1-based line number; zero means unknown.
	Lineno uint64 `json:"lineno,omitzero"`
	// Colno is the 1-based column number; zero means unknown.
	Colno uint64 `json:"colno,omitzero"`
	// Platform is the frame's platform, when not the event's (a native
	// frame in a Python stack, say).
	Platform string `json:"platform,omitzero"`
	// PreContext are the source lines before ContextLine.
	PreContext []string `json:"pre_context,omitzero"`
	// ContextLine is the source line of Lineno.
	ContextLine string `json:"context_line,omitzero"`
	// PostContext are the source lines after ContextLine.
	PostContext []string `json:"post_context,omitzero"`
	// InApp says whether the frame is the application's own code rather
	// than a library's or the runtime's. Nil means the SDK did not say,
	// and Relay's in-app rules decide.
	InApp *bool `json:"in_app,omitzero"`
	// Vars are the frame's local variables, by name.
	Vars FrameVars `json:"vars,omitzero"`
	// Data is set by Sentry's processing (source map and symbolication
	// results); SDKs do not send it.
	Data map[string]jsontext.Value `json:"data,omitzero"`
	// ImageAddr is the load address of the binary image that contains
	// the frame.
	ImageAddr *Addr `json:"image_addr,omitzero"`
	// InstructionAddr is the address of the instruction being executed.
	InstructionAddr *Addr `json:"instruction_addr,omitzero"`
	// AddrMode says what InstructionAddr is relative to: "abs" (the
	// default), "rel:<image index>" or "rel:<debug id>".
	AddrMode string `json:"addr_mode,omitzero"`
	// FunctionID identifies the function in runtimes without symbols at
	// hand, such as WebAssembly.
	FunctionID *Addr `json:"function_id,omitzero"`
	// SymbolAddr is the start address of the function.
	SymbolAddr *Addr `json:"symbol_addr,omitzero"`
	// Trust says how the native unwinder found the frame: "context",
	// "cfi", "scan"... Scanned frames may be wrong.
	Trust string `json:"trust,omitzero"`
	// Lang is the frame's programming language.
	Lang string `json:"lang,omitzero"`
	// StackStart marks the first frame of an asynchronous stack segment.
	StackStart *bool `json:"stack_start,omitzero"`
	// Lock describes the lock a thread waits on (Java): type, address,
	// package_name, class_name, thread_id. It is kept as sent.
	Lock map[string]jsontext.Value `json:"lock,omitzero"`

	// Other holds every key not named above.
	Other map[string]jsontext.Value `json:",embed"`
}

// FrameVars are a frame's local variables, by name. Some SDKs send them as
// a list, of positional arguments say; Relay turns a list into an object
// keyed by index, "0", "1"..., and so does this type, so that a list comes
// back as an object when marshaled.
type FrameVars map[string]jsontext.Value

// UnmarshalJSONFrom accepts an object or a list.
func (v *FrameVars) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	switch dec.PeekKind() {
	case '{':
		// A new map, read in place: the address of a local would
		// escape to the heap.
		prev := *v
		*v = FrameVars{}
		if err := json.UnmarshalDecode(dec, (*map[string]jsontext.Value)(v)); err != nil {
			*v = prev
			return err
		}
		return nil
	case '[':
		var list []jsontext.Value
		if err := json.UnmarshalDecode(dec, &list); err != nil {
			return err
		}
		m := make(FrameVars, len(list))
		for i, x := range list {
			m[strconv.Itoa(i)] = x
		}
		*v = m
		return nil
	case 'n':
		*v = nil
		return dec.SkipValue()
	}
	return &json.SemanticError{Err: errors.New("want an object or a list of variables")}
}

// An Addr is a memory address: an instruction, an image's load address,
// a register's value. SDKs send it as a hex string ("0x7fff1234"), a
// decimal string or a JSON integer; it marshals as Relay stores it, a
// lower-case hex string with "0x".
type Addr uint64

// String returns the address in hex, "0x…".
func (a Addr) String() string { return "0x" + strconv.FormatUint(uint64(a), 16) }

// UnmarshalJSONFrom accepts the three forms. A negative or fractional
// number, or a string that is neither hex with a 0x prefix nor decimal, is
// an error (a Warning, in a lenient payload).
func (a *Addr) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	var s string
	switch v.Kind() {
	case 'n':
		return nil
	case '0':
		s = string(v)
	case '"':
		u, err := jsontext.AppendUnquote(nil, v)
		if err != nil {
			return err
		}
		s = string(u)
	default:
		return &json.SemanticError{Err: errors.New("want an address as a string or an integer")}
	}
	n, err := parseAddr(s, v.Kind() == '"')
	if err != nil {
		return &json.SemanticError{Err: err}
	}
	*a = Addr(n)
	return nil
}

func parseAddr(s string, quoted bool) (uint64, error) {
	if quoted {
		if hex, ok := strings.CutPrefix(s, "0x"); ok {
			return strconv.ParseUint(hex, 16, 64)
		}
		if hex, ok := strings.CutPrefix(s, "0X"); ok {
			return strconv.ParseUint(hex, 16, 64)
		}
	}
	return strconv.ParseUint(s, 10, 64)
}

// MarshalJSONTo writes the address as a hex string.
func (a Addr) MarshalJSONTo(enc *jsontext.Encoder) error {
	return enc.WriteToken(jsontext.String(a.String()))
}

// A Thread is one thread of a process, from an event's "threads": the
// crashed thread and, for native crashes and app hangs, the others.
type Thread struct {
	// ID identifies the thread; Exception.ThreadID refers to it.
	ID ThreadID `json:"id,omitzero"`
	// Name is the thread's name.
	Name string `json:"name,omitzero"`
	// Stacktrace is the thread's stack, caller first.
	Stacktrace *Stacktrace `json:"stacktrace,omitzero"`
	// RawStacktrace is the stack before symbolication.
	RawStacktrace *Stacktrace `json:"raw_stacktrace,omitzero"`
	// Crashed marks the thread that crashed or raised the error.
	Crashed *bool `json:"crashed,omitzero"`
	// Current marks the thread that was running when the event was
	// captured.
	Current *bool `json:"current,omitzero"`
	// Main marks the main (UI) thread.
	Main *bool `json:"main,omitzero"`
	// State is the thread's state, as the runtime names it ("RUNNABLE",
	// "BLOCKED"...).
	State string `json:"state,omitzero"`
	// HeldLocks maps a lock's address to the lock, for ANR analysis.
	// It is kept as sent.
	HeldLocks map[string]jsontext.Value `json:"held_locks,omitzero"`

	// Other holds every key not named above.
	Other map[string]jsontext.Value `json:",embed"`
}

// acceptsKind tells the lenient decoder which kinds UnmarshalJSONFrom takes.
func (*FrameVars) acceptsKind(k jsontext.Kind) bool { return k == '{' || k == '[' }
