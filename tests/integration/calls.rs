//! The table of calls on the real container: every row answers on its
//! path and method (the public ones 200, the others a refused signature,
//! never 404 or 405), and `/manifest` and `/ontology` describe each row.

use smart_api::{Auth, CALLS};
use smart_rest_tests::{APP_ID, ContainerProcess, app_manifest};
use url::Url;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_row_of_the_table_is_served_and_described() {
    let manifest = app_manifest(&Url::parse("http://127.0.0.1:9/").unwrap()).unwrap();
    let container = ContainerProcess::start(&manifest).await.unwrap();
    let http = reqwest::Client::new();
    for call in CALLS {
        let values: Vec<&str> = (call.parameters().iter())
            .map(|p| match *p {
                "record_id" => "2000000",
                "app_id" => APP_ID,
                "user_id" => "demo",
                _ => "1",
            })
            .collect();
        let url = format!("{}{}", container.api_base, call.fill(&values).unwrap());
        let method = reqwest::Method::from_bytes(call.method.as_str().as_bytes()).unwrap();
        let r = http.request(method, &url).send().await.unwrap();
        let status = r.status().as_u16();
        match call.auth {
            Auth::Public => assert_eq!(status, 200, "{} {url}", call.method.as_str()),
            // Unsigned: the provider's 400 (no OAuth parameters), never a 404 or 405.
            Auth::Token | Auth::Consumer => {
                assert!(
                    matches!(status, 400 | 401),
                    "{} {url}: {status}",
                    call.method.as_str()
                );
            }
        }
    }
    let client = container.client().unwrap();
    let manifest: serde_json::Value =
        serde_json::from_slice(&client.container_manifest().await.unwrap().body).unwrap();
    let ontology = client.ontology().await.unwrap();
    let graph = ontology.graph().unwrap();
    for call in CALLS {
        let methods = &manifest["capabilities"][call.target]["methods"];
        assert!(
            methods
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m == call.method.as_str()),
            "{} {}",
            call.target,
            call.method.as_str()
        );
        let ask = format!(
            "PREFIX api: <http://smartplatforms.org/terms/api#>
             ASK {{ ?c a api:Call ; api:clientMethodName \"{}\" ; api:path \"{}\" ;
                    api:httpMethod \"{}\" ; api:target <{}> }}",
            call.client_method,
            call.path,
            call.method.as_str(),
            call.target
        );
        assert!(graph.ask(&ask).unwrap(), "{}", call.client_method);
    }
}
