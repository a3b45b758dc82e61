// A move-only type-erased callable: what std::function would be if it accepted move-only targets.
// Asio's coroutine completion handlers are move-only; C++20 has no std::move_only_function.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace tidings::storage {

template <class Signature>
class unique_function;

// Contract: invoking an empty unique_function is undefined (asserted in debug builds by the
// null dereference). Calling it does not consume it; callers that promise "exactly once" move it
// out first.
template <class R, class... Args>
class unique_function<R(Args...)> {
public:
    unique_function() noexcept = default;
    unique_function(std::nullptr_t) noexcept {}

    template <class F,
              class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, unique_function> &&
                                       std::is_invocable_r_v<R, std::decay_t<F>&, Args...>>>
    unique_function(F&& f) : impl_(std::make_unique<Model<std::decay_t<F>>>(std::forward<F>(f))) {}

    unique_function(unique_function&&) noexcept = default;
    unique_function& operator=(unique_function&&) noexcept = default;
    unique_function(const unique_function&) = delete;
    unique_function& operator=(const unique_function&) = delete;

    R operator()(Args... args) { return impl_->call(std::forward<Args>(args)...); }
    explicit operator bool() const noexcept { return impl_ != nullptr; }

private:
    struct Concept {
        virtual ~Concept() = default;
        virtual R call(Args... args) = 0;
    };
    template <class F>
    struct Model final : Concept {
        explicit Model(F&& f) : f_(std::move(f)) {}
        explicit Model(const F& f) : f_(f) {}
        R call(Args... args) override { return f_(std::forward<Args>(args)...); }
        F f_;
    };
    std::unique_ptr<Concept> impl_;
};

}  // namespace tidings::storage
