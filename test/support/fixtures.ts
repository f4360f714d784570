// The app both client suites apply: a Deployment (with a sidecar), a Service and a ConfigMap.
export const APP = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{containerPort: 80}]
        env: [{name: MODE, value: prod}]
      - name: sidecar
        image: busybox
        command: ["sleep", "3600"]
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  key: value
`;

/** The same app with the sidecar removed and an env value changed. */
export const APP_EDITED = APP.replace(/      - name: sidecar\n.*\n.*\n/, '').replace('value: prod', 'value: staging');
