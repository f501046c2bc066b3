import NIOCore

/// One direction of a ``DelayingProxy`` connection: what its own channel
/// reads is held `delay`, then written to the `peer` channel, in order; when
/// its own channel closes, the peer is closed `delay` later, once what was
/// read before the close is written.
///
/// Reads are asked for one at a time (the channels have `autoRead` off), and
/// only while fewer than `limit` bytes are held: read and not yet written
/// out, whether still waiting out the delay or queued behind a slow
/// receiver. That is the backpressure: a sender faster than its receiver
/// fills the kernel's socket buffers and waits, instead of the proxy's memory.
///
/// - Important: Both channels must be on the same event loop: the forwarder
///   writes to its peer and handles the peer's write completions on its own.
final class DelayedForwarder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let peer: any Channel
    private let delay: TimeAmount
    private let limit: Int
    private let meter: HeldBytesMeter
    /// Chunks read and not yet written to the peer, oldest first, each with
    /// the time it is due there.
    private var waiting = CircularBuffer<(due: NIODeadline, bytes: ByteBuffer)>()
    /// Bytes read and not yet written out: `waiting`'s, and those in the
    /// peer's write buffer.
    private var heldBytes = 0
    /// This channel's context while the handler is in its pipeline.
    private var context: ChannelHandlerContext?
    /// Whether a read is owed: reading stopped at the limit.
    private var readingPaused = false
    /// When to close the peer, once this channel has closed.
    private var peerCloseDue: NIODeadline?
    /// The next run of ``forwardDueChunks()``, when one is scheduled.
    private var timer: Scheduled<Void>?

    init(peer: any Channel, delay: TimeAmount, limit: Int, meter: HeldBytesMeter) {
        self.peer = peer
        self.delay = delay
        self.limit = limit
        self.meter = meter
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        // The target's channel is active before its forwarder is added.
        if context.channel.isActive { context.read() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Chunks still waiting are forwarded all the same: the timer runs
        // on the event loop, not through this context.
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        context.read()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        heldBytes += bytes.readableBytes
        meter.note(heldBytes)
        waiting.append((.now() + delay, bytes))
        scheduleTimer()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        readIfRoom()
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        peerCloseDue = .now() + delay
        scheduleTimer()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// Asks for the next read when fewer than `limit` bytes are held;
    /// otherwise owes it until writes free room.
    private func readIfRoom() {
        guard let context else { return }
        if heldBytes < limit {
            readingPaused = false
            context.read()
        } else {
            readingPaused = true
        }
    }

    /// Writes every chunk that is due to the peer, closes the peer when its
    /// time has come and nothing is left, and schedules the next run.
    private func forwardDueChunks() {
        timer = nil
        let now = NIODeadline.now()
        var wrote = false
        while let first = waiting.first, first.due <= now {
            waiting.removeFirst()
            let count = first.bytes.readableBytes
            peer.write(first.bytes).assumeIsolated().whenComplete { _ in
                self.written(count)
            }
            wrote = true
        }
        if wrote { peer.flush() }
        closePeerIfDone()
        scheduleTimer()
    }

    /// Notes that `count` bytes left the peer's write buffer (sent, or
    /// dropped because the peer closed), and reads again if reading waited
    /// for that room.
    private func written(_ count: Int) {
        heldBytes -= count
        if readingPaused && heldBytes < limit { readIfRoom() }
        closePeerIfDone()
    }

    /// Closes the peer once this channel has closed, the delay has passed,
    /// and every byte read before is written.
    private func closePeerIfDone() {
        guard let due = peerCloseDue, due <= .now(), waiting.isEmpty, heldBytes == 0 else { return }
        peerCloseDue = nil
        peer.close(promise: nil)
    }

    /// Schedules ``forwardDueChunks()`` for the next chunk's time, or the
    /// peer's close, unless a run is scheduled already. A close whose time
    /// has passed waits for the last write's completion instead.
    private func scheduleTimer() {
        guard timer == nil else { return }
        let due: NIODeadline
        if let first = waiting.first {
            due = first.due
        } else if let close = peerCloseDue, close > .now() {
            due = close
        } else {
            return
        }
        timer = peer.eventLoop.assumeIsolated().scheduleTask(deadline: due) {
            self.forwardDueChunks()
        }
    }
}
