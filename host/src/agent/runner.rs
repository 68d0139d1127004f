//! The tool-calling loop: send the conversation and tool specs, stream the
//! reply, run the requested tools, send their results, and repeat until the
//! model stops, the turn limit is reached, or the user cancels.
//!
//! Provider calls are blocking (see `plugins::instance`), so each response
//! is read on a blocking thread and forwarded over a channel. Cancelling
//! drops the channel and cancels the plugin call; tool processes are killed
//! through their cancellation token. Either way the history stays valid
//! (see `history::close_open_calls`).

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::history::{Item, close_open_calls};
use super::session::Session;
use super::tools::{self, RepeatGuard, ToolContext};
use super::usage::{TokenUsage, response_cost};
use crate::plugins::{
    CompletionRequest, Plugin, PluginError, ProviderError, RateLimits, StopReason, StreamEvent, ToolSpec,
};
use crate::providers::ResolvedModel;

/// Retries of a rate-limited request before giving up.
const MAX_RETRIES: u32 = 3;
/// Retries of a transient failure. Plugins retry server errors with their
/// own bounded backoff first, so the host adds only one more attempt.
const MAX_TRANSIENT_RETRIES: u32 = 1;
/// Maximum wait between retries.
const MAX_RETRY_DELAY: Duration = Duration::from_secs(60);

/// Something the user interface shows while a task runs.
#[derive(Clone, Debug)]
pub enum AgentEvent {
    TextDelta(String),
    ReasoningDelta(String),
    ToolCall { id: String, name: String, arguments: String },
    ToolResult { id: String, name: String, output: String, is_error: bool },
    /// Usage of one model response.
    Usage(TokenUsage),
    RateLimits(RateLimits),
    /// A retryable failure; the request is sent again after `delay`.
    Retrying { attempt: u32, delay: Duration, reason: String },
}

/// The reason a run ended without an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopKind {
    EndTurn,
    /// The model's output hit its token limit.
    Length,
    ContentFilter,
    /// `max_turns` model responses were used.
    MaxTurns,
    Cancelled,
}

impl StopKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StopKind::EndTurn => "end_turn",
            StopKind::Length => "length",
            StopKind::ContentFilter => "content_filter",
            StopKind::MaxTurns => "max_turns",
            StopKind::Cancelled => "cancelled",
        }
    }
}

/// Result of one user turn.
#[derive(Clone, Debug)]
pub struct RunOutcome {
    /// The last assistant message.
    pub text: String,
    pub stop: StopKind,
    /// Usage of this turn (all responses in it).
    pub usage: TokenUsage,
    pub cost_usd: f64,
    /// Tokens in the context after the last response (its input plus
    /// output), for the "context used" figure.
    pub context_tokens: u64,
}

/// A failure that ends the turn.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error("{}", crate::plugins::describe_provider_error(.0))]
    Provider(ProviderError),
    #[error(transparent)]
    Plugin(PluginError),
}

impl AgentError {
    /// Whether the user must log in again.
    pub fn is_auth_required(&self) -> bool {
        matches!(self, AgentError::Provider(ProviderError::AuthRequired(_)))
    }
}

/// Settings of the loop.
#[derive(Clone, Debug)]
pub struct AgentOptions {
    pub max_turns: usize,
    pub cwd: std::path::PathBuf,
    pub reasoning_effort: Option<String>,
    /// Home folder that plan usage reports are stored in; with none they are not stored.
    pub home: Option<crate::config::OuroHome>,
}

/// An agent bound to one model and one session.
pub struct Agent {
    pub model: ResolvedModel,
    pub session: Session,
    options: AgentOptions,
    repeat_guard: RepeatGuard,
    context_tokens: u64,
}

impl Agent {
    pub fn new(model: ResolvedModel, session: Session, options: AgentOptions) -> Self {
        Self {
            model,
            session,
            options,
            repeat_guard: RepeatGuard::new(),
            context_tokens: 0,
        }
    }

    /// Switches to another model, keeping the conversation.
    pub fn set_model(&mut self, model: ResolvedModel) {
        self.session.model = model.id.clone();
        self.model = model;
    }

    /// Runs one user turn to completion, cancellation or failure.
    pub async fn run(
        &mut self,
        user_text: &str,
        cancel: &CancellationToken,
        on_event: &mut (dyn FnMut(AgentEvent) + Send),
    ) -> Result<RunOutcome, AgentError> {
        self.session.items.push(Item::User { text: user_text.to_owned() });
        let mut turn_usage = TokenUsage::default();
        let mut turn_cost = 0.0;
        self.context_tokens = 0;
        let result = self.run_steps(cancel, on_event, &mut turn_usage, &mut turn_cost).await;
        close_open_calls(&mut self.session.items);
        self.session.usage.add(turn_usage);
        self.session.cost_usd += turn_cost;
        let (text, stop) = result?;
        Ok(RunOutcome {
            text,
            stop,
            usage: turn_usage,
            cost_usd: turn_cost,
            context_tokens: self.context_tokens,
        })
    }

    async fn run_steps(
        &mut self,
        cancel: &CancellationToken,
        on_event: &mut (dyn FnMut(AgentEvent) + Send),
        turn_usage: &mut TokenUsage,
        turn_cost: &mut f64,
    ) -> Result<(String, StopKind), AgentError> {
        let mut last_text = String::new();
        for _ in 0..self.options.max_turns {
            let response = self.respond_with_retries(cancel, on_event).await?;
            if let Some(usage) = response.usage {
                turn_usage.add(usage);
                self.context_tokens = usage.input + usage.output;
                if let Some(info) = &self.model.info {
                    *turn_cost += response_cost(usage, &info.cost);
                }
            }
            for data in &response.opaque {
                self.session.items.push(Item::Opaque { data: data.clone() });
            }
            if !response.text.is_empty() {
                self.session.items.push(Item::Assistant { text: response.text.clone() });
                last_text = response.text.clone();
            }
            if response.cancelled {
                return Ok((last_text, StopKind::Cancelled));
            }
            if response.tool_calls.is_empty() {
                let stop = match response.stop {
                    Some(StopReason::Length) => StopKind::Length,
                    Some(StopReason::ContentFilter) => StopKind::ContentFilter,
                    _ => StopKind::EndTurn,
                };
                return Ok((last_text, stop));
            }
            for call in &response.tool_calls {
                self.session.items.push(Item::ToolCall {
                    id: call.0.clone(),
                    name: call.1.clone(),
                    arguments: call.2.clone(),
                });
            }
            if self.run_tools(&response.tool_calls, cancel, on_event).await {
                return Ok((last_text, StopKind::Cancelled));
            }
        }
        Ok((last_text, StopKind::MaxTurns))
    }

    /// Runs the tool calls and records their results in order; returns true
    /// when the user cancelled. When every call is read-only (reading,
    /// listing, searching) they run concurrently, since none can affect
    /// another; otherwise one after the other.
    async fn run_tools(
        &mut self,
        calls: &[(String, String, String)],
        cancel: &CancellationToken,
        on_event: &mut (dyn FnMut(AgentEvent) + Send),
    ) -> bool {
        let mut context = ToolContext::new(self.options.cwd.clone());
        context.cancel = cancel.child_token();
        let concurrent = calls.len() > 1 && calls.iter().all(|(_, name, _)| tools::is_read_only(name));
        if concurrent {
            // Guard verdicts are taken in call order, as a sequential run would.
            let verdicts: Vec<Option<String>> = calls
                .iter()
                .map(|(_, name, arguments)| self.repeat_guard.check(name, arguments))
                .collect();
            for (id, name, arguments) in calls {
                on_event(AgentEvent::ToolCall {
                    id: id.clone(),
                    name: name.clone(),
                    arguments: arguments.clone(),
                });
            }
            let runs = calls.iter().zip(verdicts).map(|((_, name, arguments), verdict)| {
                let context = &context;
                async move {
                    match verdict {
                        Some(warning) => tools::ToolOutput { text: warning, is_error: true },
                        None => tools::run(name, arguments, context).await,
                    }
                }
            });
            let outputs = futures_util::future::join_all(runs).await;
            for ((id, name, _), output) in calls.iter().zip(outputs) {
                self.record_tool_result(id, name, output, on_event);
            }
            return cancel.is_cancelled();
        }

        for (id, name, arguments) in calls {
            if cancel.is_cancelled() {
                return true;
            }
            on_event(AgentEvent::ToolCall {
                id: id.clone(),
                name: name.clone(),
                arguments: arguments.clone(),
            });
            let output = match self.repeat_guard.check(name, arguments) {
                Some(warning) => tools::ToolOutput { text: warning, is_error: true },
                None => tools::run(name, arguments, &context).await,
            };
            self.record_tool_result(id, name, output, on_event);
        }
        cancel.is_cancelled()
    }

    fn record_tool_result(
        &mut self,
        id: &str,
        name: &str,
        output: tools::ToolOutput,
        on_event: &mut (dyn FnMut(AgentEvent) + Send),
    ) {
        on_event(AgentEvent::ToolResult {
            id: id.to_owned(),
            name: name.to_owned(),
            output: output.text.clone(),
            is_error: output.is_error,
        });
        self.session.items.push(Item::ToolResult {
            call_id: id.to_owned(),
            output: output.text,
            is_error: output.is_error,
        });
    }

    async fn respond_with_retries(
        &mut self,
        cancel: &CancellationToken,
        on_event: &mut (dyn FnMut(AgentEvent) + Send),
    ) -> Result<Response, AgentError> {
        let mut attempt = 0;
        loop {
            let request = self.request();
            let home = self.options.home.clone();
            let provider = self.model.plugin.id().to_owned();
            let mut forward = |event: AgentEvent| {
                if let (AgentEvent::RateLimits(limits), Some(home)) = (&event, &home) {
                    super::plan_usage::save(home, &provider, limits);
                }
                on_event(event);
            };
            let outcome = stream_response(&self.model.plugin, request, cancel, &mut forward).await;
            let (response, error) = match outcome {
                Ok(response) => return Ok(response),
                Err(failure) => failure,
            };
            let delay = match &error {
                AgentError::Provider(ProviderError::RateLimited(info)) => {
                    Some(info.retry_after_seconds.map_or(backoff(attempt), Duration::from_secs))
                }
                AgentError::Provider(ProviderError::Transient(_)) => Some(backoff(attempt)),
                _ => None,
            };
            // Text already shown cannot be taken back, so a response that
            // streamed content is not repeated.
            let limit = match &error {
                AgentError::Provider(ProviderError::Transient(_)) => MAX_TRANSIENT_RETRIES,
                _ => MAX_RETRIES,
            };
            let retryable = delay.is_some() && attempt < limit && !response.has_content();
            if !retryable {
                if !response.text.is_empty() {
                    self.session.items.push(Item::Assistant { text: response.text });
                }
                return Err(error);
            }
            attempt += 1;
            let delay = delay.unwrap_or_default().min(MAX_RETRY_DELAY);
            let reason = match &error {
                AgentError::Provider(ProviderError::RateLimited(info)) => format!("rate limited: {}", info.message),
                other => other.to_string(),
            };
            on_event(AgentEvent::Retrying { attempt, delay, reason });
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = cancel.cancelled() => return Ok(Response { cancelled: true, ..Response::default() }),
            }
        }
    }

    fn request(&self) -> CompletionRequest {
        CompletionRequest {
            model: self.model.model.clone(),
            instructions: super::prompt::instructions(&self.options.cwd),
            messages: self.session.items.iter().map(Item::to_message).collect(),
            tools: tools::specs()
                .into_iter()
                .map(|spec| ToolSpec {
                    name: spec.name.to_owned(),
                    description: spec.description.to_owned(),
                    parameters: spec.parameters.to_string(),
                })
                .collect(),
            reasoning_effort: self.options.reasoning_effort.clone(),
            session_id: self.session.id.clone(),
            settings: self.model.settings.clone(),
        }
    }
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_secs(1 << attempt.min(5))
}

/// The content of one model response.
#[derive(Default)]
struct Response {
    text: String,
    tool_calls: Vec<(String, String, String)>,
    opaque: Vec<String>,
    usage: Option<TokenUsage>,
    stop: Option<StopReason>,
    cancelled: bool,
}

impl Response {
    fn has_content(&self) -> bool {
        !self.text.is_empty() || !self.tool_calls.is_empty()
    }
}

/// Streams one response. On failure, returns what arrived before it.
///
/// Plugin calls block, so the stream is read in `block_in_place` on the
/// calling thread: one thread hop less per event than a reader thread and
/// a channel, which matters at thousands of deltas per reply. A watcher
/// task turns cancellation into `Plugin::cancel`, which interrupts the
/// plugin's host I/O; the loop then stops at the next event.
async fn stream_response(
    plugin: &Arc<Plugin>,
    request: CompletionRequest,
    cancel: &CancellationToken,
    on_event: &mut (dyn FnMut(AgentEvent) + Send),
) -> Result<Response, (Response, AgentError)> {
    let watcher = {
        let plugin = Arc::clone(plugin);
        let cancel = cancel.clone();
        tokio::spawn(async move {
            cancel.cancelled().await;
            plugin.cancel();
        })
    };
    let result = tokio::task::block_in_place(|| read_stream(plugin, request, cancel, on_event));
    watcher.abort();
    result
}

fn read_stream(
    plugin: &Arc<Plugin>,
    request: CompletionRequest,
    cancel: &CancellationToken,
    on_event: &mut (dyn FnMut(AgentEvent) + Send),
) -> Result<Response, (Response, AgentError)> {
    let mut response = Response::default();
    let failed = |response: Response, error: PluginError| match error {
        PluginError::Provider(error) => Err((response, AgentError::Provider(error))),
        PluginError::Cancelled => Ok(Response {
            cancelled: true,
            ..response
        }),
        error => Err((response, AgentError::Plugin(error))),
    };
    let mut stream = match plugin.complete(request) {
        Ok(stream) => stream,
        Err(error) => return failed(response, error),
    };
    loop {
        if cancel.is_cancelled() {
            response.cancelled = true;
            return Ok(response);
        }
        let event = match stream.next() {
            Ok(Some(event)) => event,
            Ok(None) => break,
            Err(_) if cancel.is_cancelled() => {
                response.cancelled = true;
                return Ok(response);
            }
            Err(error) => return failed(response, error),
        };
        match event {
            StreamEvent::TextDelta(delta) => {
                response.text.push_str(&delta);
                on_event(AgentEvent::TextDelta(delta));
            }
            StreamEvent::ReasoningDelta(delta) => on_event(AgentEvent::ReasoningDelta(delta)),
            StreamEvent::ToolCall(call) => response.tool_calls.push((call.id, call.name, call.arguments)),
            StreamEvent::Usage(usage) => {
                let usage = TokenUsage::from(&usage);
                response.usage = Some(usage);
                on_event(AgentEvent::Usage(usage));
            }
            StreamEvent::RateLimits(limits) => on_event(AgentEvent::RateLimits(limits)),
            StreamEvent::Opaque(data) => response.opaque.push(data),
            StreamEvent::Stop(reason) => {
                response.stop = Some(reason);
                break;
            }
        }
    }
    if response.stop.is_none() {
        let error = ProviderError::Transient("the response stream ended without its final event".into());
        return Err((response, AgentError::Provider(error)));
    }
    Ok(response)
}
