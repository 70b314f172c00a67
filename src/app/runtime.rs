//! Running network work from synchronous callers (the CLI, the desktop shell's blocking command
//! thread, `serve`'s workers).

use crate::error::{Error, Result};

/// Runs a future to completion on a runtime of its own, on a thread of its own, so it works
/// whether or not the caller is already inside a runtime. `Err` only when the runtime cannot
/// start; the future's own result is the `Ok` value.
pub fn block_on<F>(future: F) -> Result<F::Output>
where
    F: std::future::Future + Send,
    F::Output: Send,
{
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))?;
                Ok(rt.block_on(future))
            })
            .join()
            .unwrap_or_else(|_| {
                Err(Error::Internal(
                    "the network task stopped unexpectedly".into(),
                ))
            })
    })
}

/// `block_on` on the calling thread, for a caller that is never inside a runtime (the command
/// line): the future may hold what cannot cross threads, such as a locked standard input.
pub fn block_on_here<F: std::future::Future>(future: F) -> Result<F::Output> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("cannot start the async runtime: {e}")))?;
    Ok(rt.block_on(future))
}
