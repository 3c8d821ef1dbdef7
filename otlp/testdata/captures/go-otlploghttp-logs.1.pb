
Ñ
Ì
(
deployment.environment.name	
capture

service.name

checkout

service.version
1.4.2

telemetry.sdk.language
go
%
telemetry.sdk.name
opentelemetry
!
telemetry.sdk.version
1.47.0W


sdkcapture1.0.0@	G±Úˆì‡î	INFO*
cache warmed2
cache.entries°	Y%·Úˆì‡î'https://opentelemetry.io/schemas/1.43.0