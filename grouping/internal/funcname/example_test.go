package funcname_test

import (
	"fmt"

	"github.com/sentrywire/sentrywire/grouping/internal/funcname"
)

func ExampleTrim() {
	frames := []struct{ function, platform string }{
		{"static unsigned int Scaleform::GFx::AS3::IMEManager::DispatchEvent(char const *,char const *) const", "native"},
		{"<actix::contextimpl::ContextFut<A, C> as futures::future::Future>::poll::h9de5fbebc1652d47", "native"},
		{"std::basic_ostream<char>& std::operator<< <std::char_traits<char> >(std::basic_ostream<char>&, char)", "native"},
		{"main::{lambda(int)#1}", "c"},
		{"closure #1 () -> () in Bar.PostTask(() -> ()) -> ()", "swift"},
		{"thunk for @escaping @callee_guaranteed () -> ()", "cocoa"},
		{"-[UIApplication _run]", "objc"},
		{"pthread_cond_timedwait@@GLIBC_2.3.2", "native"},
		{"UnityEngine.Events.InvokableCall.Invoke ()", "csharp"},
		{"handler(request)", "python"},
	}
	for _, f := range frames {
		fmt.Println(funcname.Trim(f.function, f.platform))
	}
	// Output:
	// Scaleform::GFx::AS3::IMEManager::DispatchEvent
	// actix::contextimpl::ContextFut<T>::poll
	// std::operator<< <T>
	// main::lambda
	// closure in Bar.PostTask
	// thunk for closure
	// -[UIApplication _run]
	// pthread_cond_timedwait
	// UnityEngine.Events.InvokableCall.Invoke
	// handler(request)
}
