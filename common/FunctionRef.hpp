#pragma once
// A non-owning reference to a callable, for callbacks that do not outlive the call they are
// passed to (TCP stream delivery, parser sinks). Unlike std::function it never allocates: a
// lambda capturing more than two pointers makes std::function allocate on every call that
// builds one, which on a per-packet path is an allocation per packet.

#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

namespace gsoc {

template <typename Signature>
class FunctionRef;

template <typename R, typename... Args>
class FunctionRef<R(Args...)> {
 public:
  // The callable must outlive every call through this reference (pass temporaries only as
  // arguments of the call that uses them).
  template <typename F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, FunctionRef> && !std::is_function_v<std::remove_reference_t<F>> &&
             std::is_invocable_r_v<R, F&, Args...>)
  FunctionRef(F&& f) noexcept  // NOLINT(google-explicit-constructor): converts like std::function
      : target_{.object = const_cast<void*>(static_cast<const void*>(std::addressof(f)))},
        call_([](Target t, Args... args) -> R {
          return std::invoke(*static_cast<std::add_pointer_t<std::remove_reference_t<F>>>(t.object), std::forward<Args>(args)...);
        }) {}
  FunctionRef(R (*f)(Args...)) noexcept  // NOLINT(google-explicit-constructor)
      : target_{.function = f}, call_([](Target t, Args... args) -> R { return t.function(std::forward<Args>(args)...); }) {}

  R operator()(Args... args) const { return call_(target_, std::forward<Args>(args)...); }

 private:
  union Target {
    void* object;
    R (*function)(Args...);
  };
  Target target_;
  R (*call_)(Target, Args...);
};

}  // namespace gsoc
