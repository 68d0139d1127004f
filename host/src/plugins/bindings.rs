//! Host-side bindings of the `ouro:provider@0.1.0` world.

wasmtime::component::bindgen!({
    world: "plugin",
    path: "../wit/0.1.0",
    with: {
        "ouro:provider/http.response-body": super::host_http::ResponseBody,
        "ouro:provider/ui.authorization-callback": super::host_ui::CallbackListener,
        "ouro:provider/storage-lock.lock-guard": super::host_lock::LockGuard,
    },
});
