"""An Open Badges / Verifiable Credentials verifier this project did not write: didkit (SpruceID)."""
import asyncio
import json

import didkit


def independent_errors(token):
    """didkit's verdict on a VC-JWT: the list of its errors (empty when it verifies)."""
    async def verify():
        return await didkit.verify_credential(token, json.dumps({"proofFormat": "jwt"}))
    return json.loads(asyncio.run(verify()))["errors"]
