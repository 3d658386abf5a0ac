import AegisCore
internal import CSystem
import Glibc

/// Sockets: listening, accepting, reading requests, writing replies, closing.
extension Daemon {
    func openListeners() throws {
        let socketFD = try Socket.listenUnix(path: configuration.socketPath, mode: mode_t(configuration.socketMode))
        try addListener(socketFD, kind: .socket)
        switch configuration.http {
        case .unix(let path):
            try addListener(try Socket.listenUnix(path: path, mode: mode_t(configuration.socketMode)), kind: .http)
        case .tcp(let host, let port):
            try addListener(try Socket.listenTCP(host: host, port: port), kind: .http)
        case nil:
            break
        }
    }

    private func addListener(_ fd: Int32, kind: ListenerKind) throws {
        let token = Token.listenerBase + UInt64(listeners.count)
        listeners.append((fd, token, kind))
        try poller.add(fd, token: token)
    }

    func removeSocketFiles() {
        unlink(configuration.socketPath)
        if case .unix(let path) = configuration.http { unlink(path) }
    }

    /// Stops taking new connections and new requests; what is in flight is still answered.
    func beginStopping(signal: Int32) {
        guard !stopping else { return }
        log.info("stopping", ["signal": signal == SIGTERM ? "SIGTERM" : "SIGINT"])
        stopping = true
        stopDeadline = Clock.monotonicMs() + 5_000
        for listener in listeners {
            poller.remove(listener.fd)
            close(listener.fd)
        }
        listeners.removeAll()
        removeSocketFiles()
        for connection in connections.values { stopReading(connection) }
    }

    func acceptConnections(_ listener: Int32, kind: ListenerKind) {
        let now = Clock.monotonicMs()
        while let fd = Socket.accept(listener) {
            guard connections.count < configuration.maxConnections else {
                log.debug("connection refused: limit reached", ["limit": String(configuration.maxConnections)])
                close(fd)
                continue
            }
            let transport: Connection.Transport =
                switch kind {
                case .socket: .socket(FrameDecoder(maxFrameBytes: configuration.maxFrameBytes))
                case .http: .http(HTTPRequestParser())
                }
            let connection = Connection(
                fd: fd, transport: transport, bufferLimit: configuration.maxFrameBytes + 64 << 10, now: now)
            do {
                try poller.add(fd, token: UInt64(fd))
                connections[fd] = connection
            } catch {
                close(fd)
            }
        }
    }

    /// Reads what the socket has and starts every complete request in it.
    func readRequests(_ connection: Connection) {
        guard !connection.isClosed else { return }
        for _ in 0..<8 {
            guard !connection.closeWhenDone && !stopping else { break }
            switch connection.input.read(from: connection.fd) {
            case .bytes:
                connection.lastActive = Clock.monotonicMs()
                parseRequests(connection)
                // A read that did not fill the buffer took all there was: asking again costs an EAGAIN.
                if connection.input.lastReadWasShort { break }
                continue
            case .wouldBlock:
                break
            case .closed:
                stopReading(connection)
            case .failed:
                closeConnection(connection)
                return
            }
            break
        }
        closeIfFinished(connection)
    }

    private func parseRequests(_ connection: Connection) {
        defer { pauseIfBusy(connection) }
        switch connection.transport {
        case .socket(var decoder):
            parseFrames(connection, &decoder)
            connection.transport = .socket(decoder)
        case .http(var parser):
            parseHTTP(connection, &parser)
            connection.transport = .http(parser)
        }
    }

    private func parseFrames(_ connection: Connection, _ decoder: inout FrameDecoder) {
        while !connection.closeWhenDone && connection.inFlight < Connection.maxInFlight {
            let event = connection.input.withUnreadBytes { bytes -> FrameEvent in
                let event = decoder.next(in: bytes)
                if case .message(let range, _) = event {
                    let mode = decoder.mode ?? .lengthPrefixed
                    submit(decode: UnsafeRawBufferPointer(rebasing: bytes[range]), on: connection, mode: mode)
                }
                return event
            }
            switch event {
            case .needMore:
                return
            case .message(_, let consumed):
                connection.input.consume(consumed)
            case .failure(let error):
                let check = Check(
                    connection: connection, responder: .socket(decoder.mode ?? .lengthPrefixed), request: CheckRequest()
                )
                connection.enqueue(check)
                finish(check, .denied(.badRequest, message: error.description))
                stopReading(connection)
            }
        }
    }

    private func submit(decode bytes: UnsafeRawBufferPointer, on connection: Connection, mode: FramingMode) {
        switch CheckRequestDecoder.decode(bytes) {
        case .success(let request):
            let check = Check(connection: connection, responder: .socket(mode), request: request)
            connection.enqueue(check)
            start(check)
        case .failure(let error):
            let check = Check(
                connection: connection, responder: .socket(mode), request: CheckRequest(rawID: error.rawID))
            connection.enqueue(check)
            finish(check, .denied(.badRequest, message: error.message))
        }
    }

    /// Queues a finished reply on its connection, in request order.
    func deliver(_ check: Check, encode: (inout [UInt8]) -> Void) {
        let connection = check.connection
        guard !connection.isClosed else { return }
        if connection.isNext(check) {
            encode(&connection.output)
            connection.advance(pastHead: true)
            markDirty(connection)
        } else {
            var reply: [UInt8] = []
            encode(&reply)
            check.reply = reply
        }
    }

    func markDirty(_ connection: Connection) {
        guard !connection.isDirty else { return }
        connection.isDirty = true
        dirty.append(connection)
    }

    func flushOutput(_ connection: Connection) {
        guard !connection.isClosed else { return }
        while connection.hasOutput {
            switch Socket.write(connection.fd, connection.output, from: connection.outputSent) {
            case .bytes(let count):
                connection.outputSent += count
                connection.lastActive = Clock.monotonicMs()
            case .wouldBlock:
                watchWrites(connection, true)
                return
            case .closed, .failed:
                closeConnection(connection)
                return
            }
        }
        connection.compactOutput()
        watchWrites(connection, false)
        resumeIfDrained(connection)
        closeIfFinished(connection)
    }

    private func watchWrites(_ connection: Connection, _ on: Bool) {
        guard connection.watchingWrites != on else { return }
        connection.watchingWrites = on
        updateInterest(connection)
    }

    private func pauseIfBusy(_ connection: Connection) {
        guard !connection.paused, connection.inFlight >= Connection.maxInFlight else { return }
        connection.paused = true
        updateInterest(connection)
    }

    /// Resumes reading a paused connection once most of its requests are answered.
    private func resumeIfDrained(_ connection: Connection) {
        guard connection.paused, connection.inFlight < Connection.maxInFlight / 2 else { return }
        connection.paused = false
        updateInterest(connection)
        parseRequests(connection)
    }

    /// No more requests will be read from `connection`; it closes once its replies are out.
    /// Level-triggered epoll would otherwise keep reporting the unread end of the stream.
    func stopReading(_ connection: Connection) {
        guard !connection.closeWhenDone else { return }
        connection.closeWhenDone = true
        updateInterest(connection)
    }

    private func updateInterest(_ connection: Connection) {
        let reading = !connection.paused && !connection.closeWhenDone
        try? poller.modify(
            connection.fd, token: UInt64(connection.fd), readable: reading, writable: connection.watchingWrites)
    }

    private func closeIfFinished(_ connection: Connection) {
        if connection.closeWhenDone && connection.inFlight == 0 && !connection.hasOutput {
            closeConnection(connection)
        }
    }

    func closeConnection(_ connection: Connection) {
        guard !connection.isClosed else { return }
        connection.isClosed = true
        poller.remove(connection.fd)
        // Closing with unread bytes makes the kernel reset the connection, which can destroy a
        // last error reply before the client reads it: discard what is pending, then close.
        var scrap = [UInt8](repeating: 0, count: 16 << 10)
        for _ in 0..<4 {
            guard case .bytes = scrap.withUnsafeMutableBytes({ Socket.read(connection.fd, into: $0) }) else { break }
        }
        shutdown(connection.fd, Int32(SHUT_WR))
        close(connection.fd)
        connections[connection.fd] = nil
    }

    /// Closes connections idle, or stuck mid-request, for longer than the idle timeout.
    func sweepIdleConnections(now: Int64) {
        let limit = Int64(configuration.idleTimeoutSeconds) * 1000
        for connection in Array(connections.values)
        where connection.inFlight == 0 && now - connection.lastActive > limit {
            log.debug("closing idle connection", ["fd": String(connection.fd)])
            closeConnection(connection)
        }
    }

    func installSignalHandling() throws {
        signal(SIGPIPE, SIG_IGN)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_BLOCK, &set, nil)
        signalFD = signalfd(-1, &set, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
        guard signalFD >= 0 else { throw SystemError("signalfd") }
        try poller.add(signalFD, token: Token.signals)
    }

    func readSignals() {
        var info = signalfd_siginfo()
        while Glibc.read(signalFD, &info, MemoryLayout<signalfd_siginfo>.size) > 0 {
            beginStopping(signal: Int32(info.ssi_signo))
        }
    }
}
