internal import CSystem
import Glibc
func _probe() {
    let fd = epoll_create1(Int32(EPOLL_CLOEXEC))
    var ev = epoll_event()
    ev.events = EPOLLIN.rawValue
    _ = accept4(fd, nil, nil, Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue))
    _ = eventfd(0, Int32(EFD_NONBLOCK))
    _ = ev
}
