package protocol

import (
	"errors"
	"strconv"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Stack frames are most of an error event: dozens per exception, each an
// object of a dozen members. json decodes a struct by looking each member
// up in a map of fields and then its type in the table of unmarshalers, and
// reaches every string through a hook; for frames that was half of the
// decoding time. unmarshalFrame decodes a frame with a switch on the member
// name instead, and reads strings and line numbers directly.
//
// It serves only the fast pass of a lenient payload (see decode), where
// json's defaults hold: a value it does not read itself goes to
// json.UnmarshalDecode, as the struct decoder would send it, and a value
// the default would refuse fails the pass, which then decodes the whole
// payload again leniently, without this function. So it changes how fast a
// frame decodes and never what it decodes to; TestFastPaths checks that.
func unmarshalFrame(dec *jsontext.Decoder, f *Frame) error {
	if !fastPaths || dec.PeekKind() != '{' {
		return errors.ErrUnsupported // null or the wrong kind: as by default
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	for dec.PeekKind() != '}' {
		name, err := readName(dec, true)
		if err != nil {
			return err
		}
		var s *string
		switch name {
		case "function":
			s = &f.Function
		case "raw_function":
			s = &f.RawFunction
		case "symbol":
			s = &f.Symbol
		case "module":
			s = &f.Module
		case "package":
			s = &f.Package
		case "filename":
			s = &f.Filename
		case "abs_path":
			s = &f.AbsPath
		case "platform":
			s = &f.Platform
		case "context_line":
			s = &f.ContextLine
		case "addr_mode":
			s = &f.AddrMode
		case "trust":
			s = &f.Trust
		case "lang":
			s = &f.Lang
		case "lineno":
			err = unmarshalUint(dec, &f.Lineno)
		case "colno":
			err = unmarshalUint(dec, &f.Colno)
		case "in_app":
			err = unmarshalBoolPtr(dec, &f.InApp)
		case "stack_start":
			err = unmarshalBoolPtr(dec, &f.StackStart)
		case "pre_context":
			err = json.UnmarshalDecode(dec, &f.PreContext)
		case "post_context":
			err = json.UnmarshalDecode(dec, &f.PostContext)
		case "vars":
			err = json.UnmarshalDecode(dec, &f.Vars)
		case "data":
			err = json.UnmarshalDecode(dec, &f.Data)
		case "image_addr":
			err = json.UnmarshalDecode(dec, &f.ImageAddr)
		case "instruction_addr":
			err = json.UnmarshalDecode(dec, &f.InstructionAddr)
		case "function_id":
			err = json.UnmarshalDecode(dec, &f.FunctionID)
		case "symbol_addr":
			err = json.UnmarshalDecode(dec, &f.SymbolAddr)
		case "lock":
			err = json.UnmarshalDecode(dec, &f.Lock)
		default:
			// Unknown members go to Other, their values kept as sent,
			// as json's embedded fallback keeps them.
			v, err := dec.ReadValue()
			if err != nil {
				return err
			}
			if f.Other == nil {
				f.Other = make(map[string]jsontext.Value)
			}
			f.Other[name] = v
			continue
		}
		if s != nil {
			if dec.PeekKind() == '"' {
				err = readStringAlias(dec, s, true)
			} else {
				err = json.UnmarshalDecode(dec, s)
			}
		}
		if err != nil {
			return err
		}
	}
	_, err := dec.ReadToken()
	return err
}

// fastPaths switches unmarshalFrame, unmarshalRawMap and the list
// unmarshalers on; tests switch them off to compare.
var fastPaths = true

// errNotUint fails the fast pass on a number json would refuse for an
// unsigned field, so that the payload is decoded again leniently. It is
// wrapped in a new SemanticError each time: json fills in the error's
// position, so the error value must not be shared.
var errNotUint = errors.New("want an unsigned integer")

// unmarshalUint reads an unsigned integer as json does by default: digits
// only, within range. Any other kind goes to json.
func unmarshalUint(dec *jsontext.Decoder, n *uint64) error {
	if dec.PeekKind() != '0' {
		return json.UnmarshalDecode(dec, n)
	}
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	// ParseUint takes digits only, as json does: no sign, fraction or
	// exponent.
	u, err := strconv.ParseUint(bytesString(v), 10, 64)
	if err != nil {
		return &json.SemanticError{Err: errNotUint}
	}
	*n = u
	return nil
}

// unmarshalBoolPtr reads true or false into a new bool; anything else goes
// to json.
func unmarshalBoolPtr(dec *jsontext.Decoder, b **bool) error {
	switch dec.PeekKind() {
	case 't', 'f':
	default:
		return json.UnmarshalDecode(dec, b)
	}
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	v := tok.Bool()
	if *b == nil {
		*b = &v
	} else {
		**b = v
	}
	return nil
}
