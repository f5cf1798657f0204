import Foundation
import XenAPI
import XenAPIClient
import XenCore
import XenRPC

/// The calls to other pools' toolstacks over HTTP, with the XenAPI client (XML-RPC on `/`). A
/// coordinator's address is `host`, `host:port` or a URL; without a scheme it is `http://`.
struct XenAPIPeers: PoolPeers {
    let ownAddress: String

    func admit(at address: String, username: String, password: String, description: [String: String])
        async throws(XenAPIError) -> String
    {
        guard let url = Self.url(address) else { throw XenAPIError.joiningHostConnectionFailed() }
        let connection = XenAPIConnection(transport: URLSessionTransport(baseURL: url))
        do {
            let session = try await connection.call(
                "session.login_with_password", [.string(username), .string(password), "2.21", "xapid pool.join"])
            do {
                let host = try await connection.call("pool.admit_host", [session, description.rpcValue])
                _ = try? await connection.call("session.logout", [session])
                return host.stringValue ?? ""
            } catch {
                _ = try? await connection.call("session.logout", [session])
                throw error
            }
        } catch let error as XenAPIError {
            throw error
        } catch {
            throw XenAPIError.joiningHostConnectionFailed()
        }
    }

    func tellEjected(at address: String, secret: String) async -> Bool {
        guard let url = Self.url(address) else { return false }
        let connection = XenAPIConnection(transport: URLSessionTransport(baseURL: url))
        return (try? await connection.call("pool.member_ejected", [.string(secret)])) != nil
    }

    static func url(_ address: String) -> URL? {
        URL(string: address.contains("://") ? address : "http://" + address)
    }
}
